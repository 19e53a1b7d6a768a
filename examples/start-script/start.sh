#!/bin/sh
# Runs migrations, then the server -- without exec, so sh stays PID 1.
set -e
python manage.py migrate --noinput
gunicorn app.wsgi --bind 0.0.0.0:8000
