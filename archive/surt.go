package archive

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"sort"
	"strings"
)

var wwwPrefix = regexp.MustCompile(`^www\d*\.`)

// surtKey is the Sort-friendly URI Reordering Transform of a URL, canonicalised
// the way pywb keys its CDXJ: scheme, userinfo, fragment, "www." and default
// ports dropped, host labels reversed, query arguments sorted, lower case.
// http://www.Japan.news-pravda.com/world/1.html?b=2&a=1 becomes
// com,news-pravda,japan)/world/1.html?a=1&b=2.
func surtKey(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return strings.ToLower(keySafe(raw))
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	port := u.Port()
	if (port == "80" && u.Scheme == "http") || (port == "443" && u.Scheme == "https") {
		port = ""
	}
	var b strings.Builder
	if net.ParseIP(host) != nil {
		b.WriteString(host)
	} else {
		host = wwwPrefix.ReplaceAllString(host, "")
		labels := strings.Split(host, ".")
		for i := len(labels) - 1; i >= 0; i-- {
			b.WriteString(labels[i])
			if i > 0 {
				b.WriteByte(',')
			}
		}
	}
	if port != "" {
		b.WriteString(":" + port)
	}
	b.WriteByte(')')
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	b.WriteString(path)
	if u.RawQuery != "" {
		args := strings.Split(u.RawQuery, "&")
		sort.Strings(args)
		b.WriteString("?" + strings.Join(args, "&"))
	}
	return strings.ToLower(keySafe(b.String()))
}

// keySafe escapes the bytes that would break a CDXJ line or its byte order:
// space, controls and DEL.
func keySafe(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c == 0x7f {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}
