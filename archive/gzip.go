package archive

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"mime"
	"strings"
	"sync"

	"github.com/klauspost/compress/flate"
)

var flateWriters = sync.Pool{New: func() any {
	w, _ := flate.NewWriter(nil, flate.DefaultCompression)
	return w
}}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// gzipHeader is a member header with no name, time or extra field.
var gzipHeader = []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff}

// maxStored is the most one deflate stored block holds.
const maxStored = 0xffff

// gzipMember appends src to dst as one gzip member whose first head bytes
// are compressed and whose rest is kept in stored blocks. A body that is
// already gzip, brotli or zstd, or an image, does not shrink: running the
// compressor over it cost a tenth of a crawl's CPU for nothing. A head under
// minCompress is stored too: compressing a kilobyte of record and HTTP
// headers cost 30-60 µs a record in a crawl (the compressor's tables are cold
// by the next record), as much as fetching and parsing a small page, to save
// a few hundred bytes. The member is ordinary gzip to any reader.
func gzipMember(dst *bytes.Buffer, src []byte, head int) error {
	return gzipParts(dst, [][]byte{src}, head)
}

// gzipParts is gzipMember of the parts' concatenation, without making it: a
// record of a big page would otherwise be copied whole before compression.
func gzipParts(dst *bytes.Buffer, parts [][]byte, head int) error {
	if head < minCompress {
		head = 0
	}
	var crc uint32
	total := 0
	for _, p := range parts {
		crc = crc32.Update(crc, crc32.IEEETable, p)
		total += len(p)
	}
	head = min(head, total)
	dst.Write(gzipHeader)
	rest := parts
	if head > 0 {
		fw := flateWriters.Get().(*flate.Writer)
		defer flateWriters.Put(fw)
		fw.Reset(dst)
		for left := head; left > 0; {
			p := rest[0]
			if len(p) > left {
				rest = append([][]byte{p[left:]}, rest[1:]...)
				p = p[:left]
			} else {
				rest = rest[1:]
			}
			if _, err := fw.Write(p); err != nil {
				return fmt.Errorf("gzip record: %w", err)
			}
			left -= len(p)
		}
		// A sync flush ends on a byte boundary with the stream still open, so
		// stored blocks can follow directly.
		if err := fw.Flush(); err != nil {
			return fmt.Errorf("gzip record: %w", err)
		}
	}
	storedBlocks(dst, rest, total-head)
	var trailer [8]byte
	binary.LittleEndian.PutUint32(trailer[:], crc)
	binary.LittleEndian.PutUint32(trailer[4:], uint32(total))
	dst.Write(trailer[:])
	return nil
}

// storedBlocks writes the n bytes of parts as stored deflate blocks, the last
// one final (an empty one when n is 0). Blocks are cut at maxStored, not at
// the parts' boundaries.
func storedBlocks(dst *bytes.Buffer, parts [][]byte, n int) {
	i, off := 0, 0 // the next byte to write: parts[i][off]
	for {
		size := min(n, maxStored)
		n -= size
		var hdr [5]byte
		if n == 0 {
			hdr[0] = 1 // BFINAL, BTYPE 00 (stored); the rest of the byte is padding
		}
		binary.LittleEndian.PutUint16(hdr[1:], uint16(size))
		binary.LittleEndian.PutUint16(hdr[3:], ^uint16(size))
		dst.Write(hdr[:])
		for size > 0 {
			p := parts[i][off:]
			k := min(size, len(p))
			dst.Write(p[:k])
			size -= k
			if off += k; off == len(parts[i]) {
				i, off = i+1, 0
			}
		}
		if n == 0 {
			return
		}
	}
}

// minCompress is the smallest part of a record worth compressing.
const minCompress = 2048

// incompressible tells whether a response body with these headers is already
// compressed: content-encoded, or a media type that is compressed by nature.
func incompressible(contentEncoding, contentType string) bool {
	if ce := strings.ToLower(strings.TrimSpace(contentEncoding)); ce != "" && ce != "identity" {
		return true
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	switch {
	case strings.HasPrefix(mt, "image/"):
		return mt != "image/svg+xml" && mt != "image/bmp" && mt != "image/x-icon" && mt != "image/vnd.microsoft.icon"
	case strings.HasPrefix(mt, "video/"), strings.HasPrefix(mt, "audio/"):
		return true
	}
	switch mt {
	case "application/zip", "application/gzip", "application/x-gzip", "application/zstd",
		"application/x-bzip2", "application/x-xz", "application/x-7z-compressed", "font/woff", "font/woff2":
		return true
	}
	return false
}
