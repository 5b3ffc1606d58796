# SPDX-License-Identifier: MIT
# A forking HTTP server on 127.0.0.1 (socketserver.ForkingMixIn): a
# thread of this process serves, each request in a forked child; the main
# thread fetches twelve pages with urllib, then shuts the server down.
# Every socket has a timeout, so a lost request ends the run.
import http.server
import socketserver
import threading
import urllib.request


class Server(socketserver.ForkingMixIn, http.server.HTTPServer):
    timeout = 5


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = ("hello " * 1000).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    with Server(("127.0.0.1", 0), Handler) as srv:
        t = threading.Thread(target=srv.serve_forever, daemon=True)
        t.start()
        url = "http://127.0.0.1:%d/" % srv.server_address[1]
        for i in range(12):
            with urllib.request.urlopen(url, timeout=5) as r:
                assert len(r.read()) == 6000
        srv.shutdown()
