from django.urls import path, register_converter

from digests import converters, views
from digests.preview import SharedPreviewView

register_converter(converters.FourDigitYear, "yyyy")
register_converter(converters.TwoDigits, "mm")
register_converter(converters.TwoDigits, "dd")

app_name = "digests"

urlpatterns = [
    path("", views.LatestDigestView.as_view(), name="latest"),
    path("<yyyy:year>/<mm:month>/<dd:day>/", views.DigestDayView.as_view(), name="day"),
    path("preview/<str:signed>/", SharedPreviewView.as_view(), name="shared-preview"),
]
