package buildcontext

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// writeTree creates files under dir; a name ending in "/" is a directory, a
// value starting with "->" makes a symbolic link to the rest of the value.
func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if strings.HasSuffix(name, "/") {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if target, ok := strings.CutPrefix(content, "->"); ok {
			if err := os.Symlink(target, p); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func mustDigest(t *testing.T, dir, dockerfile string) string {
	t.Helper()
	d, err := Digest(dir, dockerfile)
	if err != nil {
		t.Fatalf("Digest: %v", err)
	}
	return d
}

// tarEntry is what the tests check of each packed entry.
type tarEntry struct {
	Name     string
	Type     byte
	Mode     int64
	Linkname string
	Content  string
}

// unpack packs dir and returns the tar's entries in order, checking the
// normalised header fields on the way.
func unpack(t *testing.T, dir, dockerfile string) ([]tarEntry, string, []byte) {
	t.Helper()
	var buf bytes.Buffer
	digest, err := Pack(dir, dockerfile, &buf)
	if err != nil {
		t.Fatalf("Pack: %v", err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if zr.Name != "" || !zr.ModTime.IsZero() {
		t.Errorf("gzip header has name %q, mtime %v; want none", zr.Name, zr.ModTime)
	}
	tr := tar.NewReader(zr)
	var out []tarEntry
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if !h.ModTime.Equal(time.Unix(0, 0)) || h.Uid != 0 || h.Gid != 0 || h.Uname != "" || h.Gname != "" {
			t.Errorf("%s: header not normalised: mtime %v uid %d gid %d uname %q gname %q",
				h.Name, h.ModTime, h.Uid, h.Gid, h.Uname, h.Gname)
		}
		content, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, tarEntry{h.Name, h.Typeflag, h.Mode, h.Linkname, string(content)})
	}
	return out, digest, buf.Bytes()
}

func names(es []tarEntry) []string {
	var n []string
	for _, e := range es {
		n = append(n, e.Name)
	}
	return n
}

func TestDigestIsStable(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"Dockerfile": "FROM scratch\n", "app/main.go": "package main\n"})
	a, b := mustDigest(t, dir, ""), mustDigest(t, dir, "Dockerfile")
	if a != b {
		t.Fatalf("digest changed between runs: %s vs %s", a, b)
	}
	if !strings.HasPrefix(a, "sha256:") || len(a) != len("sha256:")+64 {
		t.Fatalf("digest %q is not sha256:<64 hex>", a)
	}

	// The same tree in another directory gives the same digest: nothing of
	// the absolute path leaks in.
	other := t.TempDir()
	writeTree(t, other, map[string]string{"Dockerfile": "FROM scratch\n", "app/main.go": "package main\n"})
	if c := mustDigest(t, other, ""); c != a {
		t.Fatalf("same content elsewhere: %s, want %s", c, a)
	}

	// Pack returns the same digest and the same bytes every time.
	_, d1, tar1 := unpack(t, dir, "")
	_, d2, tar2 := unpack(t, dir, "")
	if d1 != a || d2 != a {
		t.Fatalf("Pack digests %s, %s; Digest %s", d1, d2, a)
	}
	if !bytes.Equal(tar1, tar2) {
		t.Fatal("Pack wrote different bytes for the same directory")
	}
}

func TestDigestTracksContentNotMtime(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"Dockerfile": "FROM scratch\n", "a.txt": "one"})
	before := mustDigest(t, dir, "")

	later := time.Now().Add(48 * time.Hour)
	if err := os.Chtimes(filepath.Join(dir, "a.txt"), later, later); err != nil {
		t.Fatal(err)
	}
	if got := mustDigest(t, dir, ""); got != before {
		t.Fatalf("touching mtime changed the digest")
	}

	if err := os.WriteFile(filepath.Join(dir, "a.txt"), []byte("two"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := mustDigest(t, dir, ""); got == before {
		t.Fatalf("changing content did not change the digest")
	}
}

func TestDigestTracksModesAndNames(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"Dockerfile": "FROM scratch\n", "run.sh": "echo hi"})
	base := mustDigest(t, dir, "")

	// Group-write is normalised away; the exec bit is kept.
	if err := os.Chmod(filepath.Join(dir, "run.sh"), 0o664); err != nil {
		t.Fatal(err)
	}
	if got := mustDigest(t, dir, ""); got != base {
		t.Fatal("a non-exec mode change changed the digest")
	}
	if err := os.Chmod(filepath.Join(dir, "run.sh"), 0o755); err != nil {
		t.Fatal(err)
	}
	exec := mustDigest(t, dir, "")
	if exec == base {
		t.Fatal("setting the exec bit did not change the digest")
	}

	// Renaming a file with the same content changes the digest.
	if err := os.Rename(filepath.Join(dir, "run.sh"), filepath.Join(dir, "start.sh")); err != nil {
		t.Fatal(err)
	}
	if got := mustDigest(t, dir, ""); got == exec {
		t.Fatal("renaming a file did not change the digest")
	}
}

func TestDockerignore(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"Dockerfile": "FROM scratch\n",
		".dockerignore": strings.Join([]string{
			"# comment",
			"node_modules",
			"*.log",
			"**/*.tmp",
			"secrets/",
			"!keep.log",
			"docs",
			"!docs/README.md",
		}, "\n"),
		"main.go":                  "package main",
		"app.log":                  "noise",
		"keep.log":                 "kept by exception",
		"node_modules/x/index.js":  "x",
		"src/deep/nested/file.tmp": "tmp",
		"src/deep/nested/file.go":  "go",
		"secrets/key":              "k",
		"docs/README.md":           "readme",
		"docs/other.md":            "other",
	})

	entries, _, _ := unpack(t, dir, "")
	want := []string{
		".dockerignore",
		"Dockerfile",
		"docs/README.md", // the directory itself is excluded, the exception is not
		"keep.log",
		"main.go",
		"src/",
		"src/deep/",
		"src/deep/nested/",
		"src/deep/nested/file.go",
	}
	if got := names(entries); !reflect.DeepEqual(got, want) {
		t.Fatalf("tar lists\n  %q\nwant\n  %q", got, want)
	}

	// Excluded files do not count.
	before := mustDigest(t, dir, "")
	for _, p := range []string{"app.log", "node_modules/x/index.js", "src/deep/nested/file.tmp", "docs/other.md"} {
		if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(p)), []byte("changed"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	writeTree(t, dir, map[string]string{"node_modules/new/file.js": "new", "debug.log": "new"})
	if got := mustDigest(t, dir, ""); got != before {
		t.Fatal("changing excluded files changed the digest")
	}

	// An exception-kept file does count.
	if err := os.WriteFile(filepath.Join(dir, "keep.log"), []byte("changed"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := mustDigest(t, dir, ""); got == before {
		t.Fatal("changing a file kept by an exception did not change the digest")
	}
}

func TestDockerfileAndIgnoreFileAlwaysSent(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		".dockerignore":         "*\n",
		"build/Dockerfile.prod": "FROM scratch\n",
		"other":                 "x",
	})
	entries, _, _ := unpack(t, dir, "build/Dockerfile.prod")
	want := []string{".dockerignore", "build/Dockerfile.prod"}
	if got := names(entries); !reflect.DeepEqual(got, want) {
		t.Fatalf("tar lists %q, want %q", got, want)
	}
}

func TestTarEntries(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"Dockerfile":                      "FROM scratch\n",
		"a-b":                             "dash",
		"a/b":                             "slash",
		"bin/":                            "",
		"bin/run":                         "#!/bin/sh\n",
		"link":                            "->a/b",
		"dangling":                        "->nowhere",
		"empty/":                          "",
		"unicodé.txt":                     "u",
		strings.Repeat("long/", 30) + "f": "deep",
	})
	if err := os.Chmod(filepath.Join(dir, "bin", "run"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(dir, "empty"), 0o700); err != nil {
		t.Fatal(err)
	}

	entries, _, _ := unpack(t, dir, "")
	byName := map[string]tarEntry{}
	for _, e := range entries {
		byName[e.Name] = e
	}
	got := names(entries)
	for i := 1; i < len(got); i++ {
		// Sorted by path; a directory's name carries a trailing "/" in the tar.
		if strings.TrimSuffix(got[i-1], "/") >= strings.TrimSuffix(got[i], "/") {
			t.Fatalf("entries not sorted: %q before %q", got[i-1], got[i])
		}
	}
	checks := []tarEntry{
		{Name: "Dockerfile", Type: tar.TypeReg, Mode: 0o644, Content: "FROM scratch\n"},
		{Name: "a/", Type: tar.TypeDir, Mode: 0o755},
		{Name: "a/b", Type: tar.TypeReg, Mode: 0o644, Content: "slash"},
		{Name: "a-b", Type: tar.TypeReg, Mode: 0o644, Content: "dash"},
		{Name: "bin/run", Type: tar.TypeReg, Mode: 0o755, Content: "#!/bin/sh\n"},
		{Name: "link", Type: tar.TypeSymlink, Mode: 0o777, Linkname: "a/b"},
		{Name: "dangling", Type: tar.TypeSymlink, Mode: 0o777, Linkname: "nowhere"},
		{Name: "empty/", Type: tar.TypeDir, Mode: 0o755},
		{Name: "unicodé.txt", Type: tar.TypeReg, Mode: 0o644, Content: "u"},
		{Name: strings.Repeat("long/", 30) + "f", Type: tar.TypeReg, Mode: 0o644, Content: "deep"},
	}
	for _, want := range checks {
		if e, ok := byName[want.Name]; !ok {
			t.Errorf("missing %q in %q", want.Name, got)
		} else if e != want {
			t.Errorf("entry %+v, want %+v", e, want)
		}
	}
	if len(entries) != 10+30 /* long/ directories */ +1 /* bin/ */ {
		t.Errorf("got %d entries: %q", len(entries), got)
	}
}

func TestSymlinkTargetCounts(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"Dockerfile": "FROM scratch\n", "x": "x", "y": "y", "l": "->x"})
	before := mustDigest(t, dir, "")
	if err := os.Remove(filepath.Join(dir, "l")); err != nil {
		t.Fatal(err)
	}
	writeTree(t, dir, map[string]string{"l": "->y"})
	if mustDigest(t, dir, "") == before {
		t.Fatal("retargeting a symlink did not change the digest")
	}
}

func TestErrors(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"Dockerfile": "FROM scratch\n", "sub/": ""})

	cases := []struct {
		name, dir, dockerfile, want string
	}{
		{"missing dockerfile", dir, "Dockerfile.dev", `dockerfile "Dockerfile.dev" not found`},
		{"dockerfile is a directory", dir, "sub", `not a regular file`},
		{"absolute dockerfile", dir, "/etc/passwd", `must be relative`},
		{"climbing dockerfile", dir, "../Dockerfile", `outside the context`},
		{"missing context", filepath.Join(dir, "nope"), "", `context directory`},
		{"context is a file", filepath.Join(dir, "Dockerfile"), "", `not a directory`},
		{"empty context", "", "", `empty context`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := Digest(c.dir, c.dockerfile); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Digest error %v, want it to contain %q", err, c.want)
			}
			if _, err := Pack(c.dir, c.dockerfile, io.Discard); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Pack error %v, want it to contain %q", err, c.want)
			}
		})
	}

	bad := t.TempDir()
	writeTree(t, bad, map[string]string{"Dockerfile": "FROM scratch\n", ".dockerignore": "[\n"})
	if _, err := Digest(bad, ""); err == nil || !strings.Contains(err.Error(), ".dockerignore") {
		t.Fatalf("bad pattern: error %v, want one naming .dockerignore", err)
	}
}

// TestManifestFormat pins the digest of a tiny tree. If this test fails the
// digest format changed: every existing image would rebuild, so bump
// manifestVersion deliberately rather than updating the constant casually.
func TestManifestFormat(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"Dockerfile": "FROM scratch\n", "d/x": "x", "l": "->d/x"})
	// Recomputed independently (Python hashlib) from the format documented on
	// writeEntry: version line, then NUL-terminated fields per entry.
	const want = "sha256:782ad7469b12d702a0a12355046cf3e1b90aed50eff6ec798b46eae1cb9981e2"
	if got := mustDigest(t, dir, ""); got != want {
		t.Fatalf("digest %s, want %s", got, want)
	}
}
