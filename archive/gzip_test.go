package archive

import (
	"bytes"
	"compress/gzip"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
)

// The members with a stored tail must read back with an ordinary gzip reader,
// whatever the split and however many stored blocks the tail needs.
func TestGzipMemberRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, size := range []int{0, 1, 100, maxStored - 1, maxStored, maxStored + 1, 3*maxStored + 17} {
		src := make([]byte, size+3000)
		for i := range src {
			src[i] = byte(rng.IntN(8)) + 'a'
		}
		for _, head := range []int{0, 300, 3000, len(src)} {
			var out bytes.Buffer
			out.WriteString("prefix member bytes")
			if err := gzipMember(&out, src, head); err != nil {
				t.Fatal(err)
			}
			zr, err := gzip.NewReader(bytes.NewReader(out.Bytes()[len("prefix member bytes"):]))
			if err != nil {
				t.Fatalf("size %d head %d: %v", size, head, err)
			}
			zr.Multistream(false)
			got, err := io.ReadAll(zr)
			if err != nil || !bytes.Equal(got, src) {
				t.Fatalf("size %d head %d: read %d bytes (want %d), err %v", size, head, len(got), len(src), err)
			}
		}
	}
}

// An encoded body is archived as stored deflate blocks, so its bytes sit in
// the WARC file as received; the headers before it are still compressed.
func TestEncodedBodyStored(t *testing.T) {
	// A gzip body at level 0 is very compressible itself: only a member that
	// stores it leaves it verbatim in the file.
	page := bytes.Repeat([]byte("<p>東京都知事の会見</p>\n"), 400)
	var enc bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&enc, gzip.NoCompression)
	zw.Write(page)
	zw.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("X-Padding", string(bytes.Repeat([]byte("header "), 400)))
		w.Write(enc.Bytes())
	}))
	defer srv.Close()
	dir := t.TempDir()
	w := openWriter(t, dir)
	resp, body := fetch(t, newClient(w, TransportOptions{}), srv.URL+"/")
	if !bytes.Equal(body, page) {
		t.Fatalf("decoded %d bytes, want %d", len(body), len(page))
	}
	c, _ := CaptureOf(resp)
	w.Close()
	file, err := os.ReadFile(filepath.Join(dir, c.File))
	if err != nil {
		t.Fatal(err)
	}
	member := file[c.Offset : c.Offset+c.Length]
	if !bytes.Contains(member, enc.Bytes()) {
		t.Error("the encoded body is not stored verbatim in its member")
	}
	if bytes.Contains(member, []byte("header header header")) {
		t.Error("the record's headers were stored, not compressed")
	}
	rec, err := ReadRecord(dir, c.File, c.Offset)
	if err != nil || !bytes.Equal(rec.Payload, page) {
		t.Fatalf("ReadRecord: %d bytes, %v", len(rec.Payload), err)
	}
	mustVerify(t, dir)
}

func TestIncompressible(t *testing.T) {
	for _, c := range []struct {
		ce, ct string
		want   bool
	}{
		{"gzip", "text/html", true},
		{"br", "", true},
		{" identity ", "text/html", false},
		{"", "text/html; charset=utf-8", false},
		{"", "image/jpeg", true},
		{"", "image/svg+xml", false},
		{"", "video/mp4", true},
		{"", "application/json", false},
		{"", "application/zip", true},
		{"", "garbage;;;", false},
	} {
		if got := incompressible(c.ce, c.ct); got != c.want {
			t.Errorf("incompressible(%q, %q) = %v", c.ce, c.ct, got)
		}
	}
}
