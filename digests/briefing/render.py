"""Write a ``Briefing`` back out as the editors' plain text, or as Markdown."""

from django.utils.translation import gettext as _


def labelled_line(paragraph):
    """LABEL:TEXT, with a full-width colon where a half-width one would read as a time (Q3:12%)."""
    if not paragraph.label:
        return paragraph.text
    colon = ":"
    if paragraph.label[-1].isdigit() and paragraph.text[:1].isdigit():
        colon = "\uff1a"
    return f"{paragraph.label}{colon}{paragraph.text}"


def render_text(briefing):
    """The plain-text format that ``parse_text`` reads; parsing it gives the briefing back."""
    lines = [f"{briefing.title}({briefing.date.isoformat()})"]
    if briefing.lede:
        lines.append(f"导语:{briefing.lede}")
    for section in briefing.sections:
        lines.append(section.name)
        for item in section.items:
            lines.append(item.heading)
            lines.extend(line for line in item.body.split("\n") if line.strip())
            if item.source:
                lines.append(f"来源:{item.source}")
            if item.url:
                lines.append(f"链接:{item.url}")
            if item.tags:
                lines.append(f"标签:{','.join(item.tags)}")
    if briefing.analysis:
        lines.append("# 深度解析")
        lines.append(f"深度解析:{briefing.analysis.title}")
        lines.extend(labelled_line(p) for p in briefing.analysis.paragraphs)
    if briefing.trends:
        lines.append("趋势总结")
        lines.extend(f"- {labelled_line(p)}" for p in briefing.trends.points)
        if briefing.trends.summary:
            lines.append(f"今日核心趋势总结:{briefing.trends.summary}")
    return "\n".join(lines) + "\n"


def md_escape(text):
    """Escape the characters that would start Markdown markup at a line's start or inline."""
    for char in "\\`*_[]<>#":
        text = text.replace(char, f"\\{char}")
    return text


def render_markdown(briefing):
    """A Markdown rendering for newsletters and other sites."""
    out = [f"# {md_escape(briefing.title)}({briefing.date.isoformat()})", ""]
    if briefing.lede:
        out += [md_escape(briefing.lede), ""]
    for section in briefing.sections:
        out += [f"## {md_escape(section.name)}", ""]
        for item in section.items:
            out += [f"### {md_escape(item.topic)} · {md_escape(item.title)}", ""]
            for paragraph in item.body.split("\n"):
                if paragraph.strip():
                    out += [md_escape(paragraph), ""]
            meta = []
            if item.source:
                meta.append(_("Source: %(name)s") % {"name": md_escape(item.source)})
            if item.url:
                meta.append(f"[{_('Original article')}](<{item.url}>)")
            if item.tags:
                meta.append(" ".join(f"`{tag}`" for tag in item.tags))
            if meta:
                out += [" · ".join(meta), ""]
    if briefing.analysis:
        out += [f"## 深度解析:{md_escape(briefing.analysis.title)}", ""]
        for p in briefing.analysis.paragraphs:
            label = f"**{md_escape(p.label)}**:" if p.label else ""
            out += [f"{label}{md_escape(p.text)}", ""]
    if briefing.trends:
        out += ["## 趋势总结", ""]
        for p in briefing.trends.points:
            label = f"**{md_escape(p.label)}**:" if p.label else ""
            out.append(f"- {label}{md_escape(p.text)}")
        out.append("")
        if briefing.trends.summary:
            out += [f"**今日核心趋势总结**:{md_escape(briefing.trends.summary)}", ""]
    return "\n".join(out).rstrip("\n") + "\n"
