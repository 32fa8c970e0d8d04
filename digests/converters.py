"""URL converters for the dated public URLs: /2026/02/02/."""


class FourDigitYear:
    regex = r"[0-9]{4}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return f"{int(value):04d}"


class TwoDigits:
    regex = r"[0-9]{2}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return f"{int(value):02d}"


class ExportFormat:
    """The file suffixes a day can be downloaded as: /2026/02/02.txt, .md, .json."""

    regex = "txt|md|json"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value
