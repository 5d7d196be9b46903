package archive

import (
	"crypto/sha1"
	"encoding/base32"
	"strings"
)

const (
	digestPrefix = "sha1:"
	// emptyDigest is the sha1 of no bytes; such payloads are never deduplicated.
	emptyDigest = "sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ"
)

// digestOf returns "sha1:BASE32" as Heritrix and wget write it.
func digestOf(parts ...[]byte) string {
	h := sha1.New()
	for _, p := range parts {
		h.Write(p)
	}
	return digestPrefix + base32.StdEncoding.EncodeToString(h.Sum(nil))
}

// digestBytes decodes a "sha1:BASE32" digest; ok is false for anything else.
func digestBytes(d string) (b [sha1.Size]byte, ok bool) {
	s, found := strings.CutPrefix(d, digestPrefix)
	if !found {
		return b, false
	}
	raw, err := base32.StdEncoding.DecodeString(s)
	if err != nil || len(raw) != sha1.Size {
		return b, false
	}
	copy(b[:], raw)
	return b, true
}
