"""The browser tests' live server on PostgreSQL lets no request outlive its test.

A request still running while the next test's flush truncates the tables deadlocks
with it (CI, December 2026); ``GatedThreadedWSGIServer`` waits for it first.
"""

import threading
import time
import urllib.error
import urllib.request

from django.core.servers.basehttp import WSGIRequestHandler

from tests.conftest import GatedThreadedWSGIServer


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def serve(application):
    server = GatedThreadedWSGIServer(("127.0.0.1", 0), QuietHandler, allow_reuse_address=False)
    server.set_app(application)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}/"


def test_closing_waits_for_the_request_under_way_and_refuses_the_next():
    started, finished = threading.Event(), threading.Event()

    def slow(environ, start_response):
        started.set()
        time.sleep(0.5)
        finished.set()
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"saved"]

    server, url = serve(slow)
    try:
        answers = []
        client = threading.Thread(
            target=lambda: answers.append(urllib.request.urlopen(url).read())
        )
        client.start()
        assert started.wait(5)
        server.close_for_test()
        assert finished.is_set(), "closed before the request under way had finished"
        client.join(5)
        assert answers == [b"saved"]

        try:
            urllib.request.urlopen(url)
        except urllib.error.HTTPError as refused:
            assert refused.code == 503
        else:
            raise AssertionError("a closed server answered a new request")
        assert server.under_way == 0
    finally:
        server.shutdown()
        server.server_close()
