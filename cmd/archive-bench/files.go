package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"html"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/rtk-archive/rtk-archive/internal/fetch"
	"github.com/rtk-archive/rtk-archive/internal/fetch/fetchtest"
)

// fileServer serves the same generated media as the fake API's download host, as a plain folder with
// an HTML index, which is what rclone's http backend reads.
type fileServer struct {
	URL string
	srv *http.Server
}

func startFileServer(recs []fetchtest.Recording) (*fileServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	byName := map[string]fetchtest.Recording{}
	var index strings.Builder
	index.WriteString("<html><body>\n")
	for _, r := range recs {
		byName[r.OutputFileName] = r
		fmt.Fprintf(&index, "<a href=\"%s\">%s</a>\n", html.EscapeString(r.OutputFileName), html.EscapeString(r.OutputFileName))
	}
	index.WriteString("</body></html>\n")
	mod := time.Now().Add(-time.Hour)
	h := http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		name := strings.TrimPrefix(req.URL.Path, "/files/")
		if name == "" {
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte(index.String()))
			return
		}
		r, ok := byName[name]
		if !ok {
			http.NotFound(w, req)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		http.ServeContent(w, req, name, mod, fetchtest.Content(r.ID, fetchtest.MediaFile, r.MediaSize))
	})
	fs := &fileServer{URL: "http://" + ln.Addr().String() + "/files/", srv: &http.Server{Handler: h}}
	go fs.srv.Serve(ln)
	return fs, nil
}

func (f *fileServer) Close() { f.srv.Close() }

// writeURLList writes the presigned media URLs the API lists, as rclone copyurl --urls reads them
// (CSV: URL, destination name), so rclone fetches the same URLs from the same host as the archiver.
func writeURLList(ctx context.Context, api *fetchtest.Server, path string) (string, error) {
	c, err := fetch.New(fetch.Config{BaseURL: api.URL, AccountID: api.AccountID, AppID: api.AppID, Token: api.Token, RequestsPerSecond: -1})
	if err != nil {
		return "", err
	}
	listing, err := c.List(ctx, fetch.ListOptions{})
	if err != nil {
		return "", fmt.Errorf("listing the URLs for rclone copyurl: %w", err)
	}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	for _, r := range listing.Recordings {
		w.Write([]string{r.DownloadURL, r.ID + ".mp4"})
	}
	w.Flush()
	return path, os.WriteFile(path, b.Bytes(), 0o600)
}
