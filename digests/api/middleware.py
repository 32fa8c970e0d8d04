"""CORS for /api/: any site's scripts may read it; nobody's credentials are involved."""

from django.http import HttpResponse

PREFIX = "/api/"
METHODS = "GET, HEAD, OPTIONS"


class ApiCorsMiddleware:
    """``Access-Control-Allow-Origin: *`` on every /api/ answer, and preflights answered here.

    No ``Allow-Credentials``: browsers then send no cookies with a cross-site
    request, and the API reads none. A preflight (``OPTIONS``) for anything but
    a read is refused, since the API has nothing else.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(PREFIX):
            return self.get_response(request)
        if request.method == "OPTIONS" and "HTTP_ACCESS_CONTROL_REQUEST_METHOD" in request.META:
            asked = request.META["HTTP_ACCESS_CONTROL_REQUEST_METHOD"].upper()
            response = HttpResponse(status=204 if asked in ("GET", "HEAD") else 405)
            response["Access-Control-Allow-Methods"] = METHODS
            response["Access-Control-Allow-Headers"] = "If-None-Match, If-Modified-Since"
            response["Access-Control-Max-Age"] = "86400"
        else:
            response = self.get_response(request)
        response["Access-Control-Allow-Origin"] = "*"
        response["Access-Control-Expose-Headers"] = "ETag, Last-Modified, Retry-After"
        return response
