package main

import (
	"bytes"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

const sampleSchema = "testdata/schema.json"

func readSample(t *testing.T) []byte {
	t.Helper()
	raw, err := os.ReadFile(sampleSchema)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// editSchema decodes raw, lets edit change it, and re-encodes it.
func editSchema(t *testing.T, raw []byte, edit func(m map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func mustGenerate(t *testing.T, lang string, raw []byte, opts options) map[string][]byte {
	t.Helper()
	files, _, err := generate(lang, raw, opts)
	if err != nil {
		t.Fatalf("%s: %v", lang, err)
	}
	return files
}

func TestGenerateIsDeterministic(t *testing.T) {
	raw := readSample(t)
	for _, lang := range allLanguages {
		first := mustGenerate(t, lang, raw, options{})
		second := mustGenerate(t, lang, raw, options{})
		if !maps.EqualFunc(first, second, bytes.Equal) {
			t.Errorf("%s: two generations from the same schema differ", lang)
		}
	}
}

func TestLanguageDefaultsAreFilledIn(t *testing.T) {
	raw := readSample(t) // has no "language" section
	cases := []struct{ lang, file, want string }{
		{langNodejs, "package.json", `"name": "@defang-io/pulumi-defang"`},
		{langNodejs, "package.json", `"@pulumi/pulumi": "^3.142.0"`},
		{langNodejs, "package.json", `"version": "0.1.0"`},
		{langPython, "pyproject.toml", `name = "pulumi_defang"`},
		{langPython, "pyproject.toml", `"pulumi>=3.231.0,<4.0.0"`},
		{langPython, "README.md", "Deploy Docker Compose applications"},
		{langGo, "defang/project.go", `"github.com/DefangLabs/pulumi-defang/sdk/go/defang/internal"`},
		{langGo, "defang/pulumi-plugin.json", `"version": "0.1.0"`},
		{langDotnet, "DefangLabs.Defang.csproj", `<PackageReference Include="Pulumi" Version="3.*" />`},
		{langDotnet, "Project.cs", "namespace DefangLabs.Defang"},
	}
	for _, c := range cases {
		files := mustGenerate(t, c.lang, raw, options{})
		if !strings.Contains(string(files[c.file]), c.want) {
			t.Errorf("%s %s: want %q in:\n%s", c.lang, c.file, c.want, files[c.file])
		}
	}
}

func TestSchemaLanguageValuesWin(t *testing.T) {
	raw := editSchema(t, readSample(t), func(m map[string]any) {
		m["language"] = map[string]any{"nodejs": map[string]any{"packageName": "@other/name"}}
	})
	files, warnings, err := generate(langNodejs, raw, options{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(files["package.json"]), `"name": "@other/name"`) {
		t.Errorf("schema packageName was not used:\n%s", files["package.json"])
	}
	if !slices.ContainsFunc(warnings, func(w string) bool { return strings.Contains(w, "nodejs.packageName") }) {
		t.Errorf("want a warning about the unexpected package name, got %q", warnings)
	}
}

func TestVersion(t *testing.T) {
	raw := readSample(t)
	files := mustGenerate(t, langNodejs, raw, options{Version: "v1.2.3-alpha.1"})
	if !strings.Contains(string(files["package.json"]), `"version": "1.2.3-alpha.1"`) {
		t.Errorf("-version not applied:\n%s", files["package.json"])
	}

	noVersion := editSchema(t, raw, func(m map[string]any) { delete(m, "version") })
	files, warnings, err := generate(langGo, noVersion, options{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(files["defang/pulumi-plugin.json"]), fallbackVersion) || len(warnings) == 0 {
		t.Errorf("want fallback version %s and a warning; warnings %q", fallbackVersion, warnings)
	}

	if _, _, err := generate(langGo, raw, options{Version: "not-a-version"}); err == nil {
		t.Error("want an error for a non-semver version")
	}
}

// The shape of the Project's `config` input decides whether a TypeScript user
// can put an Output (a config secret) into the map. Only an input map whose
// values are not plain gives pulumi.Input<{[key: string]: pulumi.Input<string>}>.
func TestConfigMapShape(t *testing.T) {
	const field = "config?: "
	cases := []struct {
		name string
		edit func(config map[string]any)
		want string
	}{
		{"values not plain (wanted)", func(map[string]any) {},
			"config?: pulumi.Input<{[key: string]: pulumi.Input<string>} | undefined>;"},
		{"plain values (infer's pulumi.StringMapInput)", func(c map[string]any) {
			c["additionalProperties"].(map[string]any)["plain"] = true
		}, "config?: pulumi.Input<{[key: string]: string} | undefined>;"},
		{"plain map", func(c map[string]any) { c["plain"] = true },
			"config?: {[key: string]: pulumi.Input<string>};"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			raw := editSchema(t, readSample(t), func(m map[string]any) {
				project := m["resources"].(map[string]any)["defang:index:Project"].(map[string]any)
				c.edit(project["inputProperties"].(map[string]any)["config"].(map[string]any))
			})
			src := string(mustGenerate(t, langNodejs, raw, options{})["project.ts"])
			i := strings.Index(src, field)
			if i < 0 {
				t.Fatalf("no config input in project.ts:\n%s", src)
			}
			got := strings.TrimSpace(src[i : i+strings.IndexByte(src[i:], '\n')])
			if got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
		})
	}
}

func TestSchemaErrors(t *testing.T) {
	raw := readSample(t)
	badRef := editSchema(t, raw, func(m map[string]any) {
		network := m["resources"].(map[string]any)["defang:aws:Network"].(map[string]any)
		network["properties"].(map[string]any)["vpc"] = map[string]any{
			"$ref": "/aws/v6.83.2/schema.json#/resources/aws:ec2%2Fvpc:Vpc",
		}
	})
	if _, _, err := generate(langNodejs, badRef, options{}); err == nil ||
		!strings.Contains(err.Error(), "aws") {
		t.Errorf("want an error naming the foreign package, got %v", err)
	}
	if _, _, err := generate(langNodejs, []byte("{"), options{}); err == nil {
		t.Error("want an error for invalid JSON")
	}
}

func TestDotnetLogoIsServedOffline(t *testing.T) {
	logo := []byte("\x89PNG test logo")
	raw := editSchema(t, readSample(t), func(m map[string]any) {
		m["logoUrl"] = "https://example.invalid/logo.png"
	})
	files := mustGenerate(t, langDotnet, raw, options{Logo: logo})
	if !bytes.Equal(files["logo.png"], logo) {
		t.Errorf("logo.png is not the given logo")
	}
	builtin := mustGenerate(t, langDotnet, readSample(t), options{})["logo.png"]
	if !bytes.HasPrefix(builtin, []byte("\x89PNG")) {
		t.Errorf("built-in logo is not a PNG")
	}
	// The offline transport refuses anything else.
	restore := useOfflineHTTP("https://example.invalid/logo.png", logo)
	defer restore()
	if resp, err := http.Get("https://example.invalid/other"); err == nil {
		resp.Body.Close()
		t.Error("want other URLs refused")
	}
	resp, err := http.Get("https://example.invalid/logo.png")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if got, _ := io.ReadAll(resp.Body); !bytes.Equal(got, logo) {
		t.Error("logo URL not served")
	}
}

func TestKept(t *testing.T) {
	patterns := []string{"node_modules", "*.egg-info", "docs/keep.md", "extra/"}
	for rel, want := range map[string]bool{
		"node_modules/x/index.js":    true,
		"a/node_modules":             true,
		"pulumi_x.egg-info/PKG-INFO": true,
		"docs/keep.md":               true,
		"docs/other.md":              false,
		"extra/file":                 true,
		"index.ts":                   false,
		"types/input.ts":             false,
	} {
		if got := kept(rel, patterns); got != want {
			t.Errorf("kept(%q) = %v, want %v", rel, got, want)
		}
	}
}

func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for rel, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestSyncDirCleansAndKeeps(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nodejs")
	writeTree(t, dir, map[string]string{
		"index.ts":                 "old",
		"same.ts":                  "same",
		"stale/gone.ts":            "stale",
		"node_modules/x/index.js":  "kept",
		"bin/index.js":             "kept",
		"deep/empty/after/x.ts":    "stale",
		"keepme/hand-written.md":   "kept by -keep",
		"keepme/nested/also-kept":  "kept by -keep",
		"unrelated-stale-file.txt": "stale",
	})
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(filepath.Join(dir, "same.ts"), old, old); err != nil {
		t.Fatal(err)
	}
	want := map[string][]byte{
		"index.ts":       []byte("new"),
		"same.ts":        []byte("same"),
		"types/input.ts": []byte("added"),
	}
	keep := append(slices.Clone(defaultKeep[langNodejs]), "keepme")

	diffs, err := compareDir(dir, want, keep)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range diffs {
		got = append(got, d.kind+" "+d.path)
	}
	wantDiffs := []string{
		"stale deep/empty/after/x.ts", "differs index.ts", "stale stale/gone.ts",
		"missing types/input.ts", "stale unrelated-stale-file.txt",
	}
	if !slices.Equal(got, wantDiffs) {
		t.Errorf("compareDir:\n got %q\nwant %q", got, wantDiffs)
	}

	stats, err := syncDir(dir, want, keep)
	if err != nil {
		t.Fatal(err)
	}
	if stats.written != 2 || stats.removed != 3 {
		t.Errorf("stats = %+v, want 2 written, 3 removed", stats)
	}
	for _, gone := range []string{"stale", "deep", "unrelated-stale-file.txt"} {
		if _, err := os.Stat(filepath.Join(dir, gone)); !os.IsNotExist(err) {
			t.Errorf("%s should be gone (err %v)", gone, err)
		}
	}
	for _, kept := range []string{"node_modules/x/index.js", "bin/index.js", "keepme/nested/also-kept"} {
		if _, err := os.Stat(filepath.Join(dir, kept)); err != nil {
			t.Errorf("%s should be kept: %v", kept, err)
		}
	}
	if fi, _ := os.Stat(filepath.Join(dir, "same.ts")); fi.ModTime().After(old.Add(time.Minute)) {
		t.Errorf("unchanged same.ts was rewritten")
	}

	if diffs, err := compareDir(dir, want, keep); err != nil || len(diffs) != 0 {
		t.Errorf("after sync: diffs %v, err %v", diffs, err)
	}
	if stats, err := syncDir(dir, want, keep); err != nil || stats != (syncStats{}) {
		t.Errorf("second sync: %+v, %v; want nothing to do", stats, err)
	}
}

// TestRunTwiceIsIdempotent drives the command as make does: generate, check,
// generate again (nothing written), then check catches a hand edit and a
// stray file.
func TestRunTwiceIsIdempotent(t *testing.T) {
	out := t.TempDir()
	args := []string{"-quiet", "-schema", sampleSchema, "-out", out}
	if err := run(args); err != nil {
		t.Fatal(err)
	}
	snapshot := func() map[string]string {
		m := map[string]string{}
		filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				b, _ := os.ReadFile(p)
				fi, _ := d.Info()
				m[p] = string(b) + "@" + fi.ModTime().String()
			}
			return err
		})
		return m
	}
	before := snapshot()
	if err := run(append(args, "-check")); err != nil {
		t.Fatalf("check after generate: %v", err)
	}
	if err := run(args); err != nil {
		t.Fatal(err)
	}
	if after := snapshot(); !maps.Equal(before, after) {
		t.Error("second run changed the tree")
	}

	writeTree(t, out, map[string]string{"go/defang/stray.go": "package defang\n"})
	if err := os.WriteFile(filepath.Join(out, "nodejs", "index.ts"), []byte("// edited\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := run(append(args, "-check"))
	if ce, ok := err.(checkFailedError); !ok || ce.count != 2 {
		t.Fatalf("check after edits: got %v, want 2 differences", err)
	}
	if err := run(args); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(out, "go", "defang", "stray.go")); !os.IsNotExist(err) {
		t.Error("stray Go file not removed")
	}
}

// TestSampleGoSDKBuilds compiles the Go SDK generated from the sample schema,
// and a small user program, in a scratch copy of the root module's identity
// (the SDK's import path is inside github.com/DefangLabs/pulumi-defang).
func TestSampleGoSDKBuilds(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles the Pulumi Go SDK")
	}
	rootGoMod, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatal(err)
	}
	rootSum, err := os.ReadFile(filepath.Join(filepath.Dir(strings.TrimSpace(string(rootGoMod))), "go.sum"))
	if err != nil {
		t.Fatal(err)
	}

	mod := t.TempDir()
	files := mustGenerate(t, langGo, readSample(t), options{})
	for rel, content := range files {
		writeTree(t, filepath.Join(mod, "sdk", "go"), map[string]string{rel: string(content)})
	}
	writeTree(t, mod, map[string]string{
		"go.mod": "module github.com/DefangLabs/pulumi-defang\n\ngo 1.25\n\n" +
			"require github.com/pulumi/pulumi/sdk/v3 v3.259.0\n",
		"go.sum": string(rootSum),
		"consumer/main.go": `package main

import (
	"github.com/DefangLabs/pulumi-defang/sdk/go/defang"
	"github.com/DefangLabs/pulumi-defang/sdk/go/defang/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		cfg := config.New(ctx, "")
		p, err := defang.NewProject(ctx, "app", &defang.ProjectArgs{
			ComposeYaml: pulumi.String("services: {}"),
			Config:      pulumi.StringMap{"DB_PASSWORD": cfg.RequireSecret("dbPassword")},
			Aws:         &defang.AwsArgsArgs{VpcId: pulumi.String("vpc-1")},
		})
		if err != nil {
			return err
		}
		n, err := aws.NewNetwork(ctx, "net", &aws.NetworkArgs{VpcId: pulumi.String("vpc-1")})
		if err != nil {
			return err
		}
		est := defang.EstimateOutput(ctx, defang.EstimateOutputArgs{
			ComposeYaml: pulumi.String("services: {}"), Cloud: pulumi.String("aws"),
		})
		ctx.Export("endpoints", p.Endpoints)
		ctx.Export("vpc", n.VpcId)
		ctx.Export("usd", est.MonthlyUsd())
		return nil
	})
}
`,
	})
	for _, args := range [][]string{{"build", "./..."}, {"vet", "./..."}} {
		cmd := exec.Command("go", args...)
		cmd.Dir = mod
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}
