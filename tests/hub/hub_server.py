#!/usr/bin/env python3
"""A hub-style HTTP server for tests, on 127.0.0.1 only.

Serves ROOT/{org}/{name}/resolve/{revision}/{file} with HTTP Range support (safetensors headers
are read with range requests). A repository containing a file named GATED answers 401 unless the
request carries "Authorization: Bearer test-token". A repository containing a file named COMMIT
(a 40-hex commit hash) answers every /resolve/ with an X-Repo-Commit header naming it, as the real
hubs do, and serves resolve/{that commit}/ from resolve/main/.

Search, in the shape of the real APIs (docs/hub.md):
  GET /api/models?search=Q&limit=N[&expand=...]  -> the entries of ROOT/api/models.json whose id
      contains Q (case-insensitive), at most N; "config" only when expand names it (or config=true or
      full=true), as huggingface.co does;
  PUT /api/v1/dolphin/models {"Name": Q, "PageSize": N, ...} -> ModelScope's answer shape,
      {"Code": 200, "Success": true, "Data": {"Model": {"Models": [...], "TotalCount": n}}}, from the
      entries of ROOT/api/modelscope.json whose Path/Name contains Q.
Every search request is appended to ROOT/api/requests.log (method, path, body) for the tests to check.

Prints the port it listens on, then serves until killed or until --max-seconds pass (tests never
leave it running).
"""
import argparse, http.server, json, os, re, sys, threading, urllib.parse

class Handler(http.server.BaseHTTPRequestHandler):
    root = '.'

    def log_message(self, *args):
        pass

    def log_search(self, body=''):
        os.makedirs(os.path.join(self.root, 'api'), exist_ok=True)
        with open(os.path.join(self.root, 'api', 'requests.log'), 'a') as f:
            f.write(f'{self.command} {self.path} {body}\n')

    def send_json(self, value):
        body = json.dumps(value).encode()
        self.send_response(200)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def entries(self, file):
        path = os.path.join(self.root, 'api', file)
        return json.load(open(path)) if os.path.isfile(path) else []

    def do_PUT(self):
        if urllib.parse.urlsplit(self.path).path != '/api/v1/dolphin/models':
            return self.send_error(404)
        body = self.rfile.read(int(self.headers.get('Content-Length', '0'))).decode()
        self.log_search(body)
        request = json.loads(body)
        q = str(request.get('Name', '')).lower()
        size = int(request.get('PageSize', 10))
        found = [m for m in self.entries('modelscope.json') if q in (m['Path'] + '/' + m['Name']).lower()]
        self.send_json({'Code': 200, 'Success': True,
                        'Data': {'Model': {'Models': found[:size], 'TotalCount': len(found)}}})

    def search_hf(self, url):
        self.log_search()
        params = urllib.parse.parse_qs(url.query)
        q = params.get('search', [''])[0].lower()
        limit = int(params.get('limit', ['1000'])[0])
        expand = params.get('expand', []) + params.get('expand[]', [])
        with_config = 'config' in expand or params.get('config') == ['true'] or params.get('full') == ['true']
        out = []
        for m in self.entries('models.json'):
            if q not in m['id'].lower():
                continue
            m = dict(m)
            if not with_config:
                m.pop('config', None)
            out.append(m)
        self.send_json(out[:limit])

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path == '/api/models':
            return self.search_hf(url)
        m = re.match(r'^/(?:models/)?([^/]+)/([^/]+)/resolve/([^/]+)/(.+)$', self.path)
        if not m:
            return self.send_error(404)
        org, name, rev, file = m.groups()
        rev = urllib.parse.unquote(rev)
        repo_dir = os.path.join(self.root, org, name)
        if os.path.exists(os.path.join(repo_dir, 'GATED')) and \
                self.headers.get('Authorization') != 'Bearer test-token':
            return self.send_error(401)
        commit_file = os.path.join(repo_dir, 'COMMIT')
        commit = open(commit_file).read().strip() if os.path.isfile(commit_file) else None
        if commit and rev == commit:
            rev = 'main'
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
        if commit:
            self.send_header('X-Repo-Commit', commit)
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
