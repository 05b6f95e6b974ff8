"""Email alerts: a search (new questions or new answers) or one question's answer, by mail, no account needed.

- subscriptions.py: the form, the double opt-in (an alert starts unconfirmed; the link in the confirmation
  mail confirms it), unsubscribing, and the limits on requests;
- sending.py: what is due (after each import, daily, weekly), what is new for an alert (never a question
  twice: questions_alertdelivery), and the mails themselves (text and HTML, in the subscriber's language, with
  a one-click unsubscribe link and List-Unsubscribe headers);
- views.py: the pages at /alerts/.

Mails leave through the background worker (questions/tasks.py): the confirmation when an alert is asked for,
the alerts after each import and every hour (``manage.py send_alerts`` does the same by hand or from cron).
"""
