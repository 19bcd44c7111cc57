package compose

import (
	"strings"
	"testing"
)

func TestWithQueryOptions(t *testing.T) {
	for _, tc := range []struct{ rest, want string }{
		{"", "?a=1&b=2"},
		{":5432/x", ":5432/x?a=1&b=2"},
		{"/x?c=3", "/x?c=3&a=1&b=2"},
		{"/x?A=9", "/x?A=9&b=2"}, // keys compare case-insensitively
		{"/x?", "/x?a=1&b=2"},
		{"/x?c=3&", "/x?c=3&a=1&b=2"},
		{"/x?a=0&b=0", "/x?a=0&b=0"},
		{":1,other:2/x next=value", ":1,other:2/x?a=1&b=2 next=value"},
		{"/x\"rest", "/x?a=1&b=2\"rest"},
	} {
		if got := WithQueryOptions(tc.rest, "a=1", "b=2"); got != tc.want {
			t.Errorf("WithQueryOptions(%q) = %q, want %q", tc.rest, got, tc.want)
		}
	}
}

func TestWithPath(t *testing.T) {
	for rest, want := range map[string]string{
		"":              "/",
		":27017":        ":27017/",
		":27017?tls=1":  ":27017/?tls=1",
		":27017/db":     ":27017/db",
		":1 y=a/b":      ":1/ y=a/b",
		",b:2?x=1 tail": ",b:2/?x=1 tail",
	} {
		if got := WithPath(rest); got != want {
			t.Errorf("WithPath(%q) = %q, want %q", rest, got, want)
		}
	}
}

func TestRequirePostgresTLS(t *testing.T) {
	for rest, want := range map[string]string{
		":5432/x":                        ":5432/x?sslmode=require",
		":5432":                          ":5432?sslmode=require",
		"/x?connect_timeout=5":           "/x?connect_timeout=5&sslmode=require",
		"/x?sslmode=disable":             "/x?sslmode=disable",
		"/x?SSLMode=verify-full":         "/x?SSLMode=verify-full",
		"/x?ssl=true":                    "/x?ssl=true",
		"/x other=postgres://a?ssl=true": "/x?sslmode=require other=postgres://a?ssl=true",
	} {
		if got := RequirePostgresTLS(rest); got != want {
			t.Errorf("RequirePostgresTLS(%q) = %q, want %q", rest, got, want)
		}
	}
	for scheme, want := range map[string]bool{"postgres": true, "PostgreSQL": true, "postgresql": true, "postgis": false, "": false} {
		if IsPostgresScheme(scheme) != want {
			t.Errorf("IsPostgresScheme(%q) != %v", scheme, want)
		}
	}
}

// Rest rewrites what follows a URL's first host only.
func TestRewriteServiceAddrsRest(t *testing.T) {
	isService := func(n string) bool { return n == "db" }
	rewrite := func(a ServiceAddr) AddrRewrite {
		rw := AddrRewrite{HostPort: "DB"}
		if a.Port != "" {
			rw.HostPort += ":" + a.Port
		}
		if IsPostgresScheme(a.Scheme) {
			rw.Rest = RequirePostgresTLS
		}
		return rw
	}
	for in, want := range map[string]string{
		"postgres://u:p@db:5432/x":              "postgres://u:p@DB:5432/x?sslmode=require",
		"postgresql://db/x?application_name=a":  "postgresql://DB/x?application_name=a&sslmode=require",
		"postgres://db:5432/x?sslmode=disable":  "postgres://DB:5432/x?sslmode=disable",
		"postgres://other:1,db:2/x":             "postgres://other:1,DB:2/x",
		"a=postgres://db/x b=postgres://db:1/y": "a=postgres://DB/x?sslmode=require b=postgres://DB:1/y?sslmode=require",
		"db":                                    "DB",
		"db:5432":                               "DB:5432",
		"mysql://db/x":                          "mysql://DB/x",
	} {
		if got := RewriteServiceAddrs(in, isService, rewrite); got != want {
			t.Errorf("%q: got %q, want %q", in, got, want)
		}
	}
}

// A mongodb:// URL of a managed MongoDB warns that the image must hold
// Amazon's CA bundle, once per variable, naming the path; a URL with its
// own tlsCAFile, a bare host and other services' URLs do not.
func TestMongoCABundleWarnings(t *testing.T) {
	_, warns := mustLoad(t, `
services:
  app:
    image: node
    working_dir: /srv/app
    environment:
      URL: mongodb://mongo:27017/x
      TWICE: mongodb://mongo:27017/x mongodb://mongo:27017/y
      OWN_CA: mongodb://mongo:27017/x?tlsCAFile=/etc/rds.pem
      HOST: mongo
      OTHER: mongodb://elsewhere:27017/x
  worker:
    image: node
    environment:
      URL: mongodb://u:p@mongo/x
  mongo:
    image: mongo:7
    x-defang-mongodb: true
`)
	var got []string
	for _, w := range warns {
		if strings.Contains(w.Message, "global-bundle.pem") {
			got = append(got, w.Service+" "+w.Field)
		}
	}
	if strings.Join(got, ",") != "app environment.TWICE,app environment.URL,worker environment.URL" {
		t.Errorf("CA bundle warnings: %v\n%s", got, diagStrings(warns))
	}
	if d, _ := find(warns, "app", "environment.URL", ""); !strings.Contains(d.Message, "at /srv/app/global-bundle.pem") {
		t.Errorf("the path follows working_dir: %s", d.Message)
	}
	if d, _ := find(warns, "worker", "environment.URL", ""); !strings.Contains(d.Message, "working directory (its WORKDIR)") {
		t.Errorf("without working_dir, the image's WORKDIR: %s", d.Message)
	}
}
