from django.urls import path

from questions import views

app_name = "questions"

urlpatterns = [
    path("", views.home, name="home"),
    path("vragen/<int:pk>/", views.question_detail, name="detail"),
]
