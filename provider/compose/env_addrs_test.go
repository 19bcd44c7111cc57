package compose

import "testing"

// Azure serves Redis over TLS on port 10000 with an access key, and an
// external HTTP app at https://<fqdn>: RewriteServiceAddrs lets a cloud
// change the scheme, insert credentials and replace host and port at once.
func TestRewriteServiceAddrs(t *testing.T) {
	isService := func(n string) bool { return n == "cache" || n == "web" || n == "db" }
	rewrite := func(a ServiceAddr) AddrRewrite {
		switch a.Name {
		case "cache":
			rw := AddrRewrite{HostPort: "CACHE:10000", Userinfo: ":KEY"}
			if a.Scheme == "redis" {
				rw.Scheme = "rediss"
			}
			return rw
		case "web":
			if a.Scheme == "http" && a.Port == "8080" {
				return AddrRewrite{HostPort: "WEB.example", Scheme: "https"}
			}
			return AddrRewrite{HostPort: "web-app" + map[bool]string{true: ":" + a.Port}[a.Port != ""]}
		}
		return AddrRewrite{HostPort: "DB" + map[bool]string{true: ":" + a.Port}[a.Port != ""]}
	}
	for in, want := range map[string]string{
		"redis://cache:6379":                         "rediss://:KEY@CACHE:10000",
		"redis://cache:6379/0":                       "rediss://:KEY@CACHE:10000/0",
		"redis://user:pw@cache:6379":                 "rediss://user:pw@CACHE:10000",
		"cache:6379":                                 "CACHE:10000",
		"http://web:8080/api":                        "https://WEB.example/api",
		"web:9000":                                   "web-app:9000",
		"postgres://u:p@db:5432/x?sslmode=require":   "postgres://u:p@DB:5432/x?sslmode=require",
		"x=http://web:8080 y=redis://cache:6379 end": "x=https://WEB.example y=rediss://:KEY@CACHE:10000 end",
		"db":         "DB",
		"mydb:5432":  "mydb:5432",
		"no refs":    "no refs",
		"webby:8080": "webby:8080",
	} {
		if got := RewriteServiceAddrs(in, isService, rewrite); got != want {
			t.Errorf("%q: got %q, want %q", in, got, want)
		}
	}
}
