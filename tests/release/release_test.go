// Package release checks that the release configuration and the schema agree
// on where and under which names the plugin is published: the SDKs download
// the plugin from the schema's pluginDownloadURL, and Pulumi expects GitHub
// release assets named pulumi-resource-<name>-v<version>-<os>-<arch>.tar.gz.
package release

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/DefangLabs/pulumi-defang/provider"
)

func repoFile(t *testing.T, name string) []byte {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	b, err := os.ReadFile(filepath.Join(filepath.Dir(file), "..", "..", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type goreleaser struct {
	ProjectName string `yaml:"project_name"`
	Before      struct {
		Hooks []string `yaml:"hooks"`
	} `yaml:"before"`
	Builds []struct {
		Main    string   `yaml:"main"`
		Binary  string   `yaml:"binary"`
		Ldflags []string `yaml:"ldflags"`
		Goos    []string `yaml:"goos"`
		Goarch  []string `yaml:"goarch"`
	} `yaml:"builds"`
	Archives []struct {
		Formats      []string `yaml:"formats"`
		NameTemplate string   `yaml:"name_template"`
		Files        []struct {
			Src         string `yaml:"src"`
			StripParent bool   `yaml:"strip_parent"`
		} `yaml:"files"`
	} `yaml:"archives"`
}

func TestGoreleaserBuildsEveryPlatformWithPulumiNames(t *testing.T) {
	var cfg goreleaser
	if err := yaml.Unmarshal(repoFile(t, ".goreleaser.yml"), &cfg); err != nil {
		t.Fatal(err)
	}
	if len(cfg.Builds) != 1 || len(cfg.Archives) != 1 {
		t.Fatalf("want one build and one archive, got %d and %d", len(cfg.Builds), len(cfg.Archives))
	}
	b, a := cfg.Builds[0], cfg.Archives[0]
	if b.Binary != "pulumi-resource-"+provider.Name || b.Main != "./provider/cmd/pulumi-resource-defang" {
		t.Errorf("build: binary %q from %q", b.Binary, b.Main)
	}
	for _, os := range []string{"linux", "darwin", "windows"} {
		if !slices.Contains(b.Goos, os) {
			t.Errorf("no %s build (goos %v)", os, b.Goos)
		}
	}
	for _, arch := range []string{"amd64", "arm64"} {
		if !slices.Contains(b.Goarch, arch) {
			t.Errorf("no %s build (goarch %v)", arch, b.Goarch)
		}
	}
	if !strings.Contains(strings.Join(b.Ldflags, " "), "-X github.com/DefangLabs/pulumi-defang/provider/version.Version={{ .Version }}") {
		t.Errorf("the version is not stamped into the binary: ldflags %v", b.Ldflags)
	}

	// The archive name, rendered for one platform, is what `pulumi plugin
	// install` looks for at pluginDownloadURL.
	name := strings.NewReplacer("{{ .ProjectName }}", cfg.ProjectName, "{{ .Version }}", "1.2.3",
		"{{ .Os }}", "darwin", "{{ .Arch }}", "arm64").Replace(a.NameTemplate)
	if want := "pulumi-resource-defang-v1.2.3-darwin-arm64"; name != want || !slices.Contains(a.Formats, "tar.gz") {
		t.Errorf("archive %q (%v), want %s.tar.gz", name, a.Formats, want)
	}

	// The schema in the archive is written with the release version.
	if len(a.Files) != 1 || !a.Files[0].StripParent {
		t.Fatalf("archive files %+v, want the stamped schema at the archive root", a.Files)
	}
	stamped := false
	for _, h := range cfg.Before.Hooks {
		stamped = stamped || (strings.Contains(h, "schemagen") && strings.Contains(h, "-version {{ .Version }}") &&
			strings.Contains(h, "-out "+a.Files[0].Src))
	}
	if !stamped {
		t.Errorf("no before hook writes %s with the release version (hooks %v)", a.Files[0].Src, cfg.Before.Hooks)
	}
}

func TestSchemaPointsAtTheReleases(t *testing.T) {
	var schema struct {
		Name              string `json:"name"`
		PluginDownloadURL string `json:"pluginDownloadURL"`
	}
	if err := json.Unmarshal(repoFile(t, "schema.json"), &schema); err != nil {
		t.Fatal(err)
	}
	if schema.Name != provider.Name || schema.PluginDownloadURL != "github://api.github.com/DefangLabs/pulumi-defang" {
		t.Errorf("schema %q downloads its plugin from %q, want the GitHub releases of DefangLabs/pulumi-defang",
			schema.Name, schema.PluginDownloadURL)
	}
	// The generated SDKs carry the same URL, so a program installs the plugin
	// on its own.
	var plugin struct {
		Server string `json:"server"`
	}
	if err := json.Unmarshal(repoFile(t, "sdk/go/defang/pulumi-plugin.json"), &plugin); err != nil {
		t.Fatal(err)
	}
	if plugin.Server != schema.PluginDownloadURL {
		t.Errorf("sdk/go pulumi-plugin.json server %q, schema %q", plugin.Server, schema.PluginDownloadURL)
	}
}
