#!/usr/bin/env python3
"""A hub-style HTTP server for tests, on 127.0.0.1 only.

Serves ROOT/{org}/{name}/resolve/{revision}/{file} with HTTP Range support (safetensors headers
are read with range requests). A repository containing a file named GATED answers 401 unless the
request carries "Authorization: Bearer test-token". Prints the port it listens on, then serves
until killed or until --max-seconds pass (tests never leave it running).
"""
import argparse, http.server, os, re, sys, threading

class Handler(http.server.BaseHTTPRequestHandler):
    root = '.'

    def log_message(self, *args):
        pass

    def do_GET(self):
        m = re.match(r'^/(?:models/)?([^/]+)/([^/]+)/resolve/([^/]+)/(.+)$', self.path)
        if not m:
            return self.send_error(404)
        org, name, rev, file = m.groups()
        repo_dir = os.path.join(self.root, org, name)
        if os.path.exists(os.path.join(repo_dir, 'GATED')) and \
                self.headers.get('Authorization') != 'Bearer test-token':
            return self.send_error(401)
        path = os.path.join(repo_dir, 'resolve', rev, file)
        if '..' in file or not os.path.isfile(path):
            return self.send_error(404)
        data = open(path, 'rb').read()
        rng = self.headers.get('Range')
        if rng:
            r = re.match(r'bytes=(\d+)-(\d*)', rng)
            start = int(r.group(1))
            end = int(r.group(2)) if r.group(2) else len(data) - 1
            end = min(end, len(data) - 1)
            body = data[start:end + 1]
            self.send_response(206)
            self.send_header('Content-Range', f'bytes {start}-{end}/{len(data)}')
        else:
            body = data
            self.send_response(200)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('root')
    ap.add_argument('--max-seconds', type=float, default=120)
    args = ap.parse_args()
    Handler.root = args.root
    srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    print(srv.server_address[1], flush=True)
    threading.Timer(args.max_seconds, srv.shutdown).start()
    srv.serve_forever()

if __name__ == '__main__':
    main()
