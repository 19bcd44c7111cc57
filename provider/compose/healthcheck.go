package compose

import (
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/mattn/go-shellwords"
)

// convertHealthcheck converts a compose healthcheck: durations to whole
// seconds (rounded up), and the HTTP path and port the load balancer should
// probe when the test fetches a local URL. A disabled check (`disable:
// true` or ["NONE"]) is nil. So is a healthcheck with no test: compose would
// inherit the image's HEALTHCHECK, which we cannot read; that is a warning.
func convertHealthcheck(hc *types.HealthCheckConfig) (*Healthcheck, []Diagnostic) {
	if hc == nil || hc.Disable || (len(hc.Test) > 0 && hc.Test[0] == "NONE") {
		return nil, nil
	}
	if len(hc.Test) == 0 {
		return nil, []Diagnostic{{Field: "healthcheck.test",
			Message: "the healthcheck has no test, so the image's own HEALTHCHECK would apply; it cannot be read here and is not used: set a test"}}
	}
	out := &Healthcheck{Test: append([]string{}, hc.Test...)}
	if hc.Interval != nil {
		out.IntervalSeconds = durationSeconds(*hc.Interval)
	}
	if hc.Timeout != nil {
		out.TimeoutSeconds = durationSeconds(*hc.Timeout)
	}
	if hc.StartPeriod != nil {
		out.StartPeriodSeconds = durationSeconds(*hc.StartPeriod)
	}
	if hc.Retries != nil {
		out.Retries = int(min(*hc.Retries, 1<<31-1))
	}
	out.HTTPPath, out.HTTPPort = healthcheckHTTP(hc.Test)
	return out, nil
}

// testArgs splits a compose healthcheck test into words: the arguments of
// ["CMD", ...], or the shell words of ["CMD-SHELL", "..."] (falling back to
// whitespace when the shell syntax is beyond a word splitter).
func testArgs(test []string) []string {
	if len(test) == 0 {
		return nil
	}
	switch test[0] {
	case "CMD":
		return test[1:]
	case "CMD-SHELL":
		p := shellwords.NewParser()
		// Keep going past `||`, `;` and friends: the URL may come later.
		// The parser reports where it stopped in runes, not bytes.
		runes := []rune(strings.Join(test[1:], " "))
		var words []string
		for len(runes) > 0 {
			w, err := p.Parse(string(runes))
			if err != nil {
				return append(words, strings.Fields(string(runes))...)
			}
			words = append(words, w...)
			if p.Position < 0 || p.Position >= len(runes) {
				break
			}
			next := max(p.Position, 1) // always make progress
			runes = runes[next:]
			for len(runes) > 0 && strings.ContainsRune("|&;<>", runes[0]) {
				runes = runes[1:]
			}
		}
		return words
	}
	return test
}

// healthcheckHTTP finds the URL a healthcheck test fetches and returns its
// path (default "/") and port (default 80 for http, 443 for https). It
// takes the first argument that is, or contains, an http(s) URL (curl, wget,
// `python -c "urllib.request.urlopen('http://...')"`...), or, after a curl
// or wget command, the first bare host:port[/path]. Only URLs on the
// container itself (localhost, 127.0.0.1, 0.0.0.0, ::1) count: the load
// balancer probes the container, not another host. No URL gives ("", 0).
func healthcheckHTTP(test []string) (string, uint32) {
	fetcher := false
	for _, arg := range testArgs(test) {
		if base := path.Base(arg); base == "curl" || base == "wget" {
			fetcher = true
			continue
		}
		if u := findURL(arg); u != "" {
			if p, port, ok := parseHealthURL(u); ok {
				return p, port
			}
			continue
		}
		if fetcher && !strings.HasPrefix(arg, "-") && bareHostPort.MatchString(arg) {
			if p, port, ok := parseHealthURL("http://" + arg); ok {
				return p, port
			}
		}
	}
	return "", 0
}

// bareHostPort is host:port[/path] without a scheme, as curl accepts.
var bareHostPort = regexp.MustCompile(`^[A-Za-z0-9.\-_\[\]:]+:[0-9]+(/\S*)?$`)

// findURL returns the http(s) URL that arg is or contains, cut at the first
// character that cannot end it inside code (quotes, brackets, spaces).
func findURL(arg string) string {
	i := strings.Index(arg, "http://")
	if j := strings.Index(arg, "https://"); j >= 0 && (i < 0 || j < i) {
		i = j
	}
	if i < 0 {
		return ""
	}
	u := arg[i:]
	if end := strings.IndexAny(u, " \t\n'\"`()<>,;"); end >= 0 {
		u = u[:end]
	}
	return u
}

// parseHealthURL returns the path and port of a URL on the container.
func parseHealthURL(raw string) (string, uint32, bool) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return "", 0, false
	}
	if !isLocalHost(u.Hostname()) {
		return "", 0, false
	}
	var port uint32 = 80
	if u.Scheme == "https" {
		port = 443
	}
	if ps := u.Port(); ps != "" {
		n, err := strconv.ParseUint(ps, 10, 32)
		if err != nil || n < 1 || n > 65535 {
			return "", 0, false
		}
		port = uint32(n)
	}
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	return p, port, true
}

func isLocalHost(host string) bool {
	switch strings.ToLower(host) {
	case "localhost", "0.0.0.0", "::1", "::":
		return true
	}
	return strings.HasPrefix(host, "127.")
}
