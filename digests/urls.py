"""Public URLs. They are part of the product: keep them stable."""

from django.urls import path, register_converter

from digests import converters, feeds, views
from digests.newsletter import views as newsletter
from digests.sharing import views as sharing
from digests.story import views as story
from digests.trends import views as trends

register_converter(converters.FourDigitYear, "yyyy")
register_converter(converters.TwoDigits, "mm")
register_converter(converters.TwoDigits, "dd")
register_converter(converters.ExportFormat, "export")

app_name = "digests"

urlpatterns = [
    path("", views.LatestDigestView.as_view(), name="latest"),
    path("<yyyy:year>/<mm:month>/<dd:day>/", views.DigestDayView.as_view(), name="day"),
    path(
        "<yyyy:year>/<mm:month>/<dd:day>.<export:fmt>",
        views.DigestExportView.as_view(),
        name="export",
    ),
    # Sharing a day (digests/sharing): its card image and its WeChat-ready copy.
    path(
        "<yyyy:year>/<mm:month>/<dd:day>/card.png",
        sharing.ShareCardView.as_view(),
        name="share-card",
    ),
    path(
        "<yyyy:year>/<mm:month>/<dd:day>.wechat.html",
        sharing.WeChatView.as_view(),
        name="wechat",
    ),
    path(
        "desk/digests/<int:pk>/wechat.html",
        sharing.DeskWeChatView.as_view(),
        name="wechat-desk",
    ),
    path("<yyyy:year>/<mm:month>/", views.DigestMonthView.as_view(), name="month"),
    path("archive/", views.ArchiveView.as_view(), name="archive"),
    path("items/", views.BrowseView.as_view(), name="browse"),
    path("items/<int:pk>/", views.ItemDetailView.as_view(), name="item"),
    path("items/<int:pk>/story/", story.StoryThreadView.as_view(), name="story"),
    path("categories/<slug:slug>/", views.CategoryItemsView.as_view(), name="category"),
    path("topics/<slug:slug>/", views.TopicItemsView.as_view(), name="topic"),
    path("tags/<slug:slug>/", views.TagItemsView.as_view(), name="tag"),
    path("sources/", views.SourceListView.as_view(), name="sources"),
    path("sources/<slug:slug>/", views.SourceItemsView.as_view(), name="source"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("trends/", trends.TrendsView.as_view(), name="trends"),
    path("trends/topics/<slug:slug>/", trends.TopicTrendView.as_view(), name="trend-topic"),
    path("trends/sections/<slug:slug>/", trends.SectionTrendView.as_view(), name="trend-section"),
    # The briefing by e-mail (digests/newsletter); never cached (middleware.NOT_CACHED).
    path("newsletter/", newsletter.SignupView.as_view(), name="newsletter"),
    path("newsletter/subscribe/", newsletter.SubscribeView.as_view(), name="newsletter-subscribe"),
    path("newsletter/sent/", newsletter.SentView.as_view(), name="newsletter-sent"),
    path(
        "newsletter/confirm/<str:token>/",
        newsletter.ConfirmView.as_view(),
        name="newsletter-confirm",
    ),
    path(
        "newsletter/preferences/<str:token>/",
        newsletter.PreferencesView.as_view(),
        name="newsletter-preferences",
    ),
    path(
        "newsletter/unsubscribe/<str:token>/",
        newsletter.UnsubscribeView.as_view(),
        name="newsletter-unsubscribe",
    ),
    path("privacy/", newsletter.PrivacyView.as_view(), name="privacy"),
    path("feeds/rss/", feeds.DigestFeed(), name="feed-rss"),
    path("feeds/atom/", feeds.DigestAtomFeed(), name="feed-atom"),
    path("feeds/categories/<slug:slug>/rss/", feeds.CategoryFeed(), name="category-rss"),
    path("feeds/categories/<slug:slug>/atom/", feeds.CategoryAtomFeed(), name="category-atom"),
]
