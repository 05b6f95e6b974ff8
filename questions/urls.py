from django.urls import path

from questions import api, export, feeds, views
from questions.alerts import views as alert_views

app_name = "questions"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search_page, name="search"),
    path("search/export.csv", export.search_csv, name="export_csv"),
    path("search/export.xlsx", export.search_xlsx, name="export_xlsx"),
    path("search/facet/<str:name>/", views.facet_values, name="facet_values"),
    path("questions/<int:pk>/", views.question_detail, name="detail"),
    path("ministers/", views.entity_index, {"kind": "minister"}, name="ministers"),
    path("members/", views.entity_index, {"kind": "member"}, name="members"),
    path("themes/", views.entity_index, {"kind": "theme"}, name="themes"),
    path("years/", views.year_index, name="years"),
    path("overdue/", views.overdue_questions, name="overdue"),
    path("about/", views.about, name="about"),
    path("ministers/<slug:slug>/", views.minister_detail, name="minister"),
    path("members/<slug:slug>/", views.member_detail, name="member"),
    path("themes/<slug:slug>/", views.theme_detail, name="theme"),
    path("alerts/new/", alert_views.new_alert, name="alert_new"),
    path("alerts/confirm/<str:token>/", alert_views.confirm_alert, name="alert_confirm"),
    path("alerts/unsubscribe/<str:token>/", alert_views.unsubscribe_alert, name="alert_unsubscribe"),
    path("api/questions/", api.question_list, name="api_list"),
    path("api/questions/<int:pk>/", api.question_item, name="api_detail"),
    path("feeds/questions.rss", feeds.QuestionsRss(), name="feed_questions_rss"),
    path("feeds/questions.atom", feeds.QuestionsAtom(), name="feed_questions_atom"),
    path("feeds/answers.rss", feeds.AnswersRss(), name="feed_answers_rss"),
    path("feeds/answers.atom", feeds.AnswersAtom(), name="feed_answers_atom"),
    path("feeds/overdue.rss", feeds.OverdueRss(), name="feed_overdue_rss"),
    path("feeds/overdue.atom", feeds.OverdueAtom(), name="feed_overdue_atom"),
]
