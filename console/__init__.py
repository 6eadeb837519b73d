"""The volunteers' and editors' web console: server-rendered pages on the admin API's app.

Routes are thin like the API's and call the same services in `sathi/services/`; templates are
Jinja2 with the same gettext catalogs as the bot; the little JavaScript there is (polling a
fragment, filling a canned reply) is served from `console/static/`, never from a CDN.
"""
