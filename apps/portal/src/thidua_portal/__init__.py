"""The Thi Đua web portal: the one origin a browser talks to, at the centre and on each provincial node.

Pages are rendered on the server (Jinja2), with htmx, served from here, for partial updates; every form works
without JavaScript. The portal calls the services' public APIs and never reads their databases."""
