package compose

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// corpusDir finds ../shared/corpus/defang-samples next to the repository
// root (the directory holding go.mod).
func corpusDir(t testing.TB) string {
	t.Helper()
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("cannot find the repository root (go.mod) above the test directory")
		}
		dir = parent
	}
	corpus := filepath.Join(dir, "..", "shared", "corpus", "defang-samples")
	if fi, err := os.Stat(corpus); err != nil || !fi.IsDir() {
		t.Fatalf("the compose corpus is missing: expected the folder %s (../shared/corpus/defang-samples from the repository root)", corpus)
	}
	return corpus
}

// corpusCases is the expected outcome of every corpus case: the error it
// deserves ("" when it loads) and its warnings as "service field".
var corpusCases = []struct {
	name     string
	err      string
	warnings []string
}{
	{"agentic-autogen", "", nil},
	{"agentic-langgraph", "", []string{"app healthcheck", "app environment.OPENAI_API_KEY", "llm environment.OPENAI_API_KEY"}},
	{"angular-express", "", []string{"angular-frontend healthcheck", "backend healthcheck"}},
	{"arduino-wifi", "", nil},
	{"bullmq-bullboard-redis", "", nil},
	{"crewai", "", []string{"chat environment.OPENAI_API_KEY", "embedding environment.OPENAI_API_KEY", "worker environment.OPENAI_API_KEY"}},
	{"csharp-dotnet", "", []string{"web healthcheck", "web ports[0].published"}},
	{"defang-provider-handoff", "", nil},
	{"django", "", []string{"django healthcheck"}},
	{"django-postgres", "", []string{"django healthcheck"}},
	{"django-railpack", "", []string{"django healthcheck"}},
	{"django-redis-postgres", "", []string{"migrate restart", "postgres-service image", "redis-service image"}},
	{"fastapi", "", []string{"fastapi healthcheck"}},
	{"fastapi-postgres", "", []string{"db image", "fastapi healthcheck"}},
	{"feathersjs", "", []string{"app healthcheck"}},
	{"flask", "", nil},
	{"flask-railpack", "", nil},
	{"golang-http", "", nil},
	{"golang-http-form", "", nil},
	{"golang-openai", "", nil},
	{"golang-railpack", "", []string{"app healthcheck"}},
	{"golang-rest-api", "", nil},
	{"golang-slackbot", "", nil},
	{"html-css-js", "", nil},
	{"huginn", "", []string{"db image", "huginn environment.DATABASE_PASSWORD"}},
	{"jupyter-postgres", "", nil},
	{"langchain", "", []string{"langchain-app ports[0].published"}},
	{"managed-llm-provider", "", []string{"app environment.OPENAI_API_KEY", "llm environment.OPENAI_API_KEY"}},
	{"mastra-nextjs", "", nil},
	{"mcp", "", nil},
	{"nextjs", "", nil},
	{"nextjs-blog", "", []string{"blogstarter healthcheck"}},
	{"nextjs-claude", "", nil},
	{"nextjs-cv", "", nil},
	{"nextjs-documentation", "", []string{"documentstarter healthcheck"}},
	{"nextjs-railpack", "", []string{"app healthcheck"}},
	{"nocodb", "", []string{"nocodb healthcheck"}},
	{"nodejs-express", "", nil},
	{"nodejs-form", "", nil},
	{"nodejs-http", "", nil},
	{"nodejs-openai", "", nil},
	{"nodejs-react-postgres", "", []string{"server healthcheck", "todo_list healthcheck"}},
	{"nodejs-rest-api", "", nil},
	{"nodejs-s3", "", nil},
	{"ollama", "", nil},
	{"python-form", "", nil},
	{"python-implicit-gpu", "", nil},
	{"python-minimal", "", nil},
	{"python-openai", "", nil},
	{"python-rest-api", "", nil},
	{"python-s3", "", nil},
	{"react", "", nil},
	{"react-vite-railpack", "", []string{"app healthcheck"}},
	{"redis-js", "", []string{"app healthcheck"}},
	{"rocket", "", nil},
	{"sailsjs", "", []string{"sails volumes", "sails healthcheck"}},
	{"sailsjs-postgres", "", nil},
	{"sveltekit", "", []string{"sveltekit healthcheck"}},
	{"sveltekit-mongodb", "", []string{"mongo volumes", "sveltekit environment.MONGODB_URI"}},
	{"vuejs", "", nil},
}

func TestCorpus(t *testing.T) {
	root := corpusDir(t)
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	onDisk := map[string]bool{}
	for _, e := range entries {
		if e.IsDir() {
			onDisk[e.Name()] = true
		}
	}
	inTable := map[string]bool{}
	for _, c := range corpusCases {
		inTable[c.name] = true
		if !onDisk[c.name] {
			t.Errorf("case %s is in the table but not in %s", c.name, root)
		}
	}
	for name := range onDisk {
		if !inTable[name] {
			t.Errorf("corpus case %s has no expected outcome in corpusCases", name)
		}
	}

	for _, c := range corpusCases {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(root, c.name)
			p, warns, err := Load(context.Background(), LoadOptions{WorkingDir: dir})
			switch {
			case c.err == "" && err != nil:
				t.Fatalf("Load: %v", err)
			case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
				t.Fatalf("want error containing %q, got %v", c.err, err)
			case c.err != "":
				return
			}
			var got []string
			for _, w := range warns {
				got = append(got, w.Service+" "+w.Field)
			}
			want := append([]string{}, c.warnings...)
			sort.Strings(got)
			sort.Strings(want)
			if !reflect.DeepEqual(got, want) && !(len(got) == 0 && len(want) == 0) {
				t.Errorf("warnings:\n got %q\nwant %q\n%s", got, want, diagStrings(warns))
			}

			// Supplying every config name satisfies the config check;
			// supplying none reports each one.
			if _, _, err := Load(context.Background(), LoadOptions{WorkingDir: dir, CheckConfig: true, ConfigNames: p.ConfigNames}); err != nil {
				t.Errorf("with all config supplied: %v", err)
			}
			_, _, err = Load(context.Background(), LoadOptions{WorkingDir: dir, CheckConfig: true})
			if (err != nil) != (len(p.ConfigNames) > 0) {
				t.Errorf("config check without config: %v (ConfigNames %v)", err, p.ConfigNames)
			}
			for _, name := range p.ConfigNames {
				if err != nil && !strings.Contains(err.Error(), name) {
					t.Errorf("missing config %s not reported in %v", name, err)
				}
			}
			_ = ModeWarnings(p, "high_availability")
		})
	}
}

// TestCorpusSpotChecks pins details of a few cases.
func TestCorpusSpotChecks(t *testing.T) {
	root := corpusDir(t)
	load := func(name string) (*Project, []Diagnostic) {
		t.Helper()
		p, warns, err := Load(context.Background(), LoadOptions{WorkingDir: filepath.Join(root, name)})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return p, warns
	}

	t.Run("huginn warns postgres without x-defang-postgres", func(t *testing.T) {
		p, warns := load("huginn")
		if _, ok := find(warns, "db", "image", "x-defang-postgres"); !ok {
			t.Errorf("warnings:\n%s", diagStrings(warns))
		}
		if p.Service("db").IsManaged() {
			t.Error("db is not managed")
		}
		pw := env(t, p.Service("huginn"), "DATABASE_PASSWORD")
		if pw.Value != `"${POSTGRES_PASSWORD}"` || !reflect.DeepEqual(pw.ConfigRefs, []string{"POSTGRES_PASSWORD"}) {
			t.Errorf("DATABASE_PASSWORD = %+v", pw)
		}
		if hc := p.Service("huginn").Healthcheck; hc.IntervalSeconds != 90 || hc.TimeoutSeconds != 30 || hc.HTTPPort != 3000 {
			t.Errorf("healthcheck = %+v", hc)
		}
	})

	t.Run("nocodb has 6 config names", func(t *testing.T) {
		p, _ := load("nocodb")
		want := []string{"NC_DB", "NC_S3_ACCESS_KEY", "NC_S3_ACCESS_SECRET", "NC_S3_BUCKET_NAME", "NC_S3_ENDPOINT", "NC_S3_REGION"}
		if !reflect.DeepEqual(p.ConfigNames, want) {
			t.Errorf("ConfigNames = %v", p.ConfigNames)
		}
		if e := env(t, p.Service("nocodb"), "NC_DB"); e.Value != "${NC_DB}" {
			t.Errorf("NC_DB = %+v", e)
		}
	})

	t.Run("fastapi-postgres DB_URL", func(t *testing.T) {
		p, _ := load("fastapi-postgres")
		e := env(t, p.Service("fastapi"), "DB_URL")
		if e.Value != "postgres://postgres:${POSTGRES_PASSWORD}@db:5432/postgres" ||
			!reflect.DeepEqual(e.ConfigRefs, []string{"POSTGRES_PASSWORD"}) || !reflect.DeepEqual(e.ServiceRefs, []string{"db"}) {
			t.Errorf("DB_URL = %+v", e)
		}
		if got := RewriteServiceRefs(e.Value, map[string]string{"db": "db.internal"}); got != "postgres://postgres:${POSTGRES_PASSWORD}@db.internal:5432/postgres" {
			t.Errorf("rewritten: %s", got)
		}
	})

	t.Run("django-postgres managed postgres", func(t *testing.T) {
		p, _ := load("django-postgres")
		db := p.Service("db")
		want := &ManagedStore{Version: "16", Image: "postgres:16", Port: 5432}
		if !reflect.DeepEqual(db.Postgres, want) {
			t.Errorf("Postgres = %+v", db.Postgres)
		}
		if e := env(t, p.Service("django"), "DB_HOST"); !reflect.DeepEqual(e.ServiceRefs, []string{"db"}) {
			t.Errorf("DB_HOST = %+v", e)
		}
	})

	t.Run("python-implicit-gpu", func(t *testing.T) {
		p, _ := load("python-implicit-gpu")
		if app := p.Service("app"); app.GPUs != 1 || app.CPUs != 1 || app.MemoryMiB != 2048 {
			t.Errorf("app sizing = %v CPUs %v MiB %v GPUs", app.CPUs, app.MemoryMiB, app.GPUs)
		}
	})

	t.Run("sveltekit-mongodb", func(t *testing.T) {
		p, warns := load("sveltekit-mongodb")
		mongo := p.Service("mongo")
		if mongo.Mongo == nil || mongo.Mongo.Port != 27017 || mongo.Mongo.Version != "" {
			t.Errorf("Mongo = %+v", mongo.Mongo)
		}
		if _, ok := find(warns, "mongo", "volumes", "not supported"); !ok {
			t.Errorf("warnings:\n%s", diagStrings(warns))
		}
		if e := env(t, p.Service("sveltekit"), "MONGODB_URI"); !reflect.DeepEqual(e.ServiceRefs, []string{"mongo"}) {
			t.Errorf("MONGODB_URI = %+v", e)
		}
	})

	t.Run("crewai model providers and pgvector", func(t *testing.T) {
		p, _ := load("crewai")
		chat := p.Service("chat")
		if !chat.LLM || chat.ProviderModel != "chat-default" || chat.Image != "" {
			t.Errorf("chat = %+v", chat)
		}
		if pg := p.Service("postgres").Postgres; pg == nil || pg.Version != "16" {
			t.Errorf("postgres = %+v", pg)
		}
		if !reflect.DeepEqual(p.ConfigNames, []string{"DJANGO_SECRET_KEY", "POSTGRES_PASSWORD"}) {
			t.Errorf("ConfigNames = %v", p.ConfigNames)
		}
	})

	t.Run("bullmq bare healthcheck URL and managed redis", func(t *testing.T) {
		p, _ := load("bullmq-bullboard-redis")
		if hc := p.Service("board").Healthcheck; hc.HTTPPort != 3000 || hc.HTTPPath != "/" {
			t.Errorf("board healthcheck = %+v", hc)
		}
		if r := p.Service("redisx").Redis; r == nil || r.Version != "6" || r.Port != 6379 {
			t.Errorf("redisx = %+v", r)
		}
		if e := env(t, p.Service("worker"), "REDIS"); !reflect.DeepEqual(e.ServiceRefs, []string{"redisx"}) {
			t.Errorf("REDIS = %+v", e)
		}
	})

	t.Run("managed-llm-provider", func(t *testing.T) {
		p, _ := load("managed-llm-provider")
		app := p.Service("app")
		if hc := app.Healthcheck; hc.HTTPPath != "/health" || hc.HTTPPort != 8000 || hc.StartPeriodSeconds != 5 {
			t.Errorf("healthcheck = %+v", hc)
		}
		if e := env(t, app, "LLM_URL"); !reflect.DeepEqual(e.ServiceRefs, []string{"llm"}) {
			t.Errorf("LLM_URL = %+v", e)
		}
	})

	t.Run("ollama build", func(t *testing.T) {
		p, _ := load("ollama")
		b := p.Service("ollama").Build
		if b.ShmSizeBytes != 16<<30 || b.Dockerfile != "Dockerfile" || !strings.HasSuffix(b.Context, "/ollama/ollama") {
			t.Errorf("build = %+v", b)
		}
		if p.Service("ollama").MemoryMiB != 8192 || p.Service("ollama").CPUs != 2 {
			t.Error("ollama sizing")
		}
	})

	t.Run("jupyter-postgres limits", func(t *testing.T) {
		p, _ := load("jupyter-postgres")
		j := p.Service("jupyter")
		if j.CPUs != 1 || j.MemoryMiB != 1024 || j.Healthcheck.HTTPPath != "/login" {
			t.Errorf("jupyter = %+v", j)
		}
	})
}
