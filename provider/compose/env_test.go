package compose

import (
	"context"
	"reflect"
	"strings"
	"testing"
)

func TestInterpolate(t *testing.T) {
	vars := map[string]string{"SET": "v", "EMPTY": ""}
	tests := []struct {
		in          string
		keep, blank string
		missing     []string
	}{
		{"plain", "plain", "plain", nil},
		{"${SET}", "v", "v", nil},
		{"$SET-x", "v-x", "v-x", nil},
		{"${NOPE}", "${NOPE}", "", []string{"NOPE"}},
		{"$NOPE", "${NOPE}", "", []string{"NOPE"}},
		{"a-${NOPE}-${NOPE}-${SET}", "a-${NOPE}-${NOPE}-v", "a---v", []string{"NOPE"}},
		{"${NOPE:-def}", "def", "def", nil},
		{"${EMPTY:-def}", "def", "def", nil},
		{"${EMPTY-def}", "", "", nil},
		{"${NOPE-def}", "def", "def", nil},
		{"${SET:+alt}", "alt", "alt", nil},
		{"${NOPE:+alt}", "", "", nil},
		{"$${NOPE}", "${NOPE}", "${NOPE}", nil},
		{"$$", "$", "$", nil},
		{"${A:-x}/${B}", "x/${B}", "x/", []string{"B"}},
		{"${NOPE:-${SET}}", "v", "v", nil},
		{"postgres://u:${PW}@db:5432/x", "postgres://u:${PW}@db:5432/x", "postgres://u:@db:5432/x", []string{"PW"}},
	}
	for _, tt := range tests {
		keep, err := interpolate(tt.in, mapLookup(vars), true)
		if err != nil {
			t.Fatalf("%q: %v", tt.in, err)
		}
		blank, _ := interpolate(tt.in, mapLookup(vars), false)
		if keep.Value != tt.keep || blank.Value != tt.blank || !reflect.DeepEqual(keep.Missing, tt.missing) {
			t.Errorf("interpolate(%q) = %q / %q missing %v, want %q / %q missing %v",
				tt.in, keep.Value, blank.Value, keep.Missing, tt.keep, tt.blank, tt.missing)
		}
	}
	if _, err := interpolate("${NOPE?is required}", mapLookup(vars), true); err == nil || !strings.Contains(err.Error(), "is required") {
		t.Errorf("${X?err} must keep compose's error, got %v", err)
	}
	if _, err := interpolate("${", mapLookup(vars), true); err == nil {
		t.Error("an invalid template must be an error")
	}
}

func env(t *testing.T, s *Service, name string) EnvVar {
	t.Helper()
	for _, e := range s.Environment {
		if e.Name == name {
			return e
		}
	}
	t.Fatalf("service %s has no %s in %+v", s.Name, name, s.Environment)
	return EnvVar{}
}

func TestEnvironmentConfigRefs(t *testing.T) {
	dir := project(t, map[string]string{
		".env":     "FROM_DOTENV=dot\nOVERRIDDEN=dot\nCHAINED=${ONLY_VAR}-x\n",
		"file.env": "FROM_FILE=f\nFILE_REF=${FROM_DOTENV}\nBOTH=file\nNULLED=file\n",
	})
	t.Setenv("PROCESS_ONLY", "must-not-leak")
	yaml := `
services:
  app:
    build: ./app
    env_file: file.env
    environment:
      LIST_NULL:
      DOTENV: ${FROM_DOTENV}
      OVERRIDE: ${OVERRIDDEN}
      VARIABLE: ${ONLY_VAR}
      CHAINED: ${CHAINED}
      MISSING: ${PASSWORD}
      URL: postgres://u:${PASSWORD}@db:5432/x?user=${DB_USER}
      DEFAULTED: ${NOPE:-fallback}
      PROCESS: ${PROCESS_ONLY}
      ESCAPED: $$HOME
      NUMBER: 5
      BOTH: explicit
      NULLED:
      FROM_DOTENV:
`
	p, _, err := Load(context.Background(), LoadOptions{
		ComposeYAML: yaml, WorkingDir: dir,
		Variables: map[string]string{"OVERRIDDEN": "var", "ONLY_VAR": "ov"},
	})
	if err != nil {
		t.Fatal(err)
	}
	app := p.Service("app")
	tests := []struct {
		name  string
		value string
		refs  []string
	}{
		{"LIST_NULL", "${LIST_NULL}", []string{"LIST_NULL"}},
		{"DOTENV", "dot", nil},
		{"OVERRIDE", "var", nil}, // Variables win over .env
		{"VARIABLE", "ov", nil},
		{"CHAINED", "ov-x", nil}, // .env sees Variables
		{"MISSING", "${PASSWORD}", []string{"PASSWORD"}},
		{"URL", "postgres://u:${PASSWORD}@db:5432/x?user=${DB_USER}", []string{"DB_USER", "PASSWORD"}},
		{"DEFAULTED", "fallback", nil},
		{"PROCESS", "${PROCESS_ONLY}", []string{"PROCESS_ONLY"}}, // never the process environment
		{"ESCAPED", "$HOME", nil},
		{"NUMBER", "5", nil},
		{"FROM_FILE", "f", nil},
		{"FILE_REF", "dot", nil},
		{"BOTH", "explicit", nil},                   // environment wins over env_file
		{"NULLED", "${NULLED}", []string{"NULLED"}}, // as in compose, a null entry overrides the env_file
		{"FROM_DOTENV", "dot", nil},                 // `- KEY` reads the variable when there is one
	}
	for _, tt := range tests {
		e := env(t, app, tt.name)
		if e.Value != tt.value || !reflect.DeepEqual(e.ConfigRefs, tt.refs) {
			t.Errorf("%s = %q refs %v, want %q refs %v", tt.name, e.Value, e.ConfigRefs, tt.value, tt.refs)
		}
	}
	want := []string{"DB_USER", "LIST_NULL", "NULLED", "PASSWORD", "PROCESS_ONLY"}
	if !reflect.DeepEqual(p.ConfigNames, want) {
		t.Errorf("ConfigNames = %v, want %v", p.ConfigNames, want)
	}
	// Sorted by name.
	for i := 1; i < len(app.Environment); i++ {
		if app.Environment[i-1].Name >= app.Environment[i].Name {
			t.Fatalf("environment not sorted: %v", app.Environment)
		}
	}
}

func TestMissingVariableWarnings(t *testing.T) {
	yaml := `
services:
  app:
    image: nginx:${TAG}
    build:
      context: ./app
      args: {VERSION: "${VERSION}", DEF: "${DEF:-1}"}
    environment:
      SECRET_FROM_CONFIG: ${NOT_A_WARNING}
  off:
    image: x:${DISABLED_TAG}
    profiles: [never]
`
	_, warns := mustLoad(t, yaml)
	for _, w := range []struct{ field, name string }{{"image", "TAG"}, {"build.args.VERSION", "VERSION"}} {
		if _, ok := find(warns, "app", w.field, `variable "`+w.name+`" is not set`); !ok {
			t.Errorf("missing warning for %s in:\n%s", w.name, diagStrings(warns))
		}
	}
	for _, quiet := range []string{"NOT_A_WARNING", "DEF", "DISABLED_TAG"} {
		for _, w := range warns {
			if strings.Contains(w.Message, `"`+quiet+`"`) {
				t.Errorf("unexpected warning about %s: %v", quiet, w)
			}
		}
	}
}

func TestEnvFileOptionalAndFormats(t *testing.T) {
	dir := project(t, map[string]string{"a.env": "A=1\n# comment\nexport B=two words\n"})
	yaml := svc("    env_file:\n      - a.env\n      - path: missing.env\n        required: false\n")
	p, _, err := Load(context.Background(), LoadOptions{ComposeYAML: yaml, WorkingDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if e := env(t, p.Service("app"), "B"); e.Value != "two words" {
		t.Errorf("B = %q", e.Value)
	}
}

func TestServiceRefs(t *testing.T) {
	yaml := `
services:
  app:
    build: ./app
    environment:
      HOST: db
      URL: postgres://u:${PW}@db:5432/x
      CACHE: cache:6379
      MULTI: mongodb://mongo1:27017,mongo2:27017/db
      SELF: http://app:8080
      NOPORTS: http://worker:9000
      WORDS: mydb db_name db.example.com
      PLAIN: redis://cache
  db: {image: postgres, ports: [{target: 5432, mode: host}]}
  cache: {image: redis, x-defang-redis: true}
  mongo1: {image: mongo, ports: [{target: 27017, mode: host}]}
  mongo2: {image: mongo, ports: [{target: 27017, mode: host}]}
  worker: {image: worker}
`
	p, _ := mustLoad(t, yaml)
	app := p.Service("app")
	tests := map[string][]string{
		"HOST":    {"db"},
		"URL":     {"db"},
		"CACHE":   {"cache"}, // a managed store gets its default port
		"MULTI":   {"mongo1", "mongo2"},
		"SELF":    nil, // not another service
		"NOPORTS": nil, // worker has no ports, so nothing to reach
		"WORDS":   nil,
		"PLAIN":   {"cache"},
	}
	for name, want := range tests {
		if got := env(t, app, name).ServiceRefs; !reflect.DeepEqual(got, want) {
			t.Errorf("%s ServiceRefs = %v, want %v", name, got, want)
		}
	}
}

func TestRewriteServiceRefs(t *testing.T) {
	hosts := map[string]string{
		"db":    "db.internal",
		"app":   "app.internal",
		"cache": "cache.example.com",
		"api-2": "api2.internal",
	}
	tests := []struct{ in, want string }{
		{"db", "db.internal"},
		{"db:5432", "db.internal:5432"},
		{"postgres://db:5432/x", "postgres://db.internal:5432/x"},
		{"postgres://user:pass@db:5432/x", "postgres://user:pass@db.internal:5432/x"},
		{"postgres://u:${PW}@db/x", "postgres://u:${PW}@db.internal/x"},
		{"postgres://db:secret@other:5432", "postgres://db:secret@other:5432"}, // user name, not host
		{"http://app", "http://app.internal"},
		{"http://app/path?q=app", "http://app.internal/path?q=app"},
		{"redis://cache:6379,db:6379", "redis://cache.example.com:6379,db.internal:6379"},
		{"app:8080 db:5432", "app.internal:8080 db.internal:5432"},
		{"HOSTS=app:80,db:5432", "HOSTS=app.internal:80,db.internal:5432"},
		{"api-2:80", "api2.internal:80"},
		// Never inside other words.
		{"myapp", "myapp"},
		{"app_name", "app_name"},
		{"app.example.com", "app.example.com"},
		{"myapp:8080", "myapp:8080"},
		{"app-2:80", "app-2:80"},
		{"http://myapp:80", "http://myapp:80"},
		{"http://app.example.com", "http://app.example.com"},
		{"the app", "the app"}, // a word in a sentence is not a host
		{"app:", "app:"},
		{"app:abc", "app:abc"},
		{"/data/db:5432", "/data/db:5432"},
		{"", ""},
		{"https://x/app:80", "https://x/app:80"},
	}
	for _, tt := range tests {
		if got := RewriteServiceRefs(tt.in, hosts); got != tt.want {
			t.Errorf("RewriteServiceRefs(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCheckConfig(t *testing.T) {
	yaml := `
services:
  app:
    build: ./app
    environment:
      API_KEY:
      DB_URL: postgres://u:${PW}@db/x
      BOTH: ${PW}-${TOKEN}
      SET:
  db:
    image: postgres:16
    x-defang-postgres: true
    environment: [PW]
`
	_, _, err := loadYAML(t, yaml, func(o *LoadOptions) {
		o.CheckConfig = true
		o.ConfigNames = []string{"SET"}
	})
	errs := errorsOf(t, err)
	want := []struct{ service, field, msg string }{
		{"app", "environment.API_KEY", `config value "API_KEY" is not set; pass it in the Project's config input (pulumi config set --secret API_KEY ...)`},
		{"app", "environment.DB_URL", `config value "PW" is not set`},
		{"app", "environment.BOTH", `config values "PW", "TOKEN" are not set`},
		{"db", "environment.PW", `config value "PW"`},
		{"", "config", "3 config values are not set: API_KEY, PW, TOKEN"},
	}
	for _, w := range want {
		if _, ok := find(errs, w.service, w.field, w.msg); !ok {
			t.Errorf("missing %v in:\n%s", w, diagStrings(errs))
		}
	}
	if len(errs) != len(want) {
		t.Errorf("got %d errors, want %d:\n%s", len(errs), len(want), diagStrings(errs))
	}

	// All supplied: no error; unchecked: no error either.
	if _, _, err := loadYAML(t, yaml, func(o *LoadOptions) {
		o.CheckConfig = true
		o.ConfigNames = []string{"API_KEY", "PW", "TOKEN", "SET"}
	}); err != nil {
		t.Errorf("all config supplied: %v", err)
	}
	if _, _, err := loadYAML(t, yaml); err != nil {
		t.Errorf("unchecked: %v", err)
	}
}
