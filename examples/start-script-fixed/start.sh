#!/bin/sh
# exec replaces the shell: gunicorn is PID 1 and receives SIGTERM.
set -e
python manage.py migrate --noinput
exec gunicorn app.wsgi --bind 0.0.0.0:8000
