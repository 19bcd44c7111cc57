package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"path"
	"reflect"
	"slices"
	"strings"

	"github.com/blang/semver"
	"github.com/hashicorp/hcl/v2"
	dotnetgen "github.com/pulumi/pulumi-dotnet/pulumi-language-dotnet/v3/codegen"
	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	nodejsgen "github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	pythongen "github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

// tool is the generator name written into every generated file's header.
const tool = "pulumi-defang-sdkgen"

// The generated languages, in the order they are generated and reported. The
// names are also the sub-directories of the output directory.
const (
	langNodejs = "nodejs"
	langPython = "python"
	langGo     = "go"
	langDotnet = "dotnet"
)

var allLanguages = []string{langNodejs, langPython, langGo, langDotnet}

// schemaKey is the key of each language in the schema's "language" section
// (.NET is "csharp" there).
var schemaKey = map[string]string{
	langNodejs: "nodejs",
	langPython: "python",
	langGo:     "go",
	langDotnet: "csharp",
}

// Names under which the package is published. They are the defaults for the
// schema's language section and are what the build checks expect.
const (
	npmPackageName    = "@defang-io/pulumi-defang"
	pythonPackageName = "pulumi_defang"
	goImportBasePath  = "github.com/DefangLabs/pulumi-defang/sdk/go/defang"
	dotnetRootNS      = "DefangLabs"

	// fallbackVersion is stamped into the SDKs when neither -version nor the
	// schema gives one; the SDK package formats all need a valid version.
	fallbackVersion = "0.0.0-dev"
)

// LanguageDefaults is the "language" section the defang schema should carry.
// The provider passes the same values to infer's WithLanguageMap; sdkgen fills
// in any top-level key that the schema leaves out, so SDK generation also works
// from a schema without it. Keys present in the schema always win.
var LanguageDefaults = map[string]map[string]any{
	"nodejs": {
		"packageName":          npmPackageName,
		"packageDescription":   "Deploy Docker Compose applications to AWS and Azure with Pulumi.",
		"dependencies":         map[string]any{"@pulumi/pulumi": "^3.142.0"},
		"respectSchemaVersion": true,
	},
	"python": {
		"packageName":          pythonPackageName,
		"requires":             map[string]any{"pulumi": ">=3.231.0,<4.0.0"},
		"pyproject":            map[string]any{"enabled": true},
		"respectSchemaVersion": true,
	},
	"go": {
		"importBasePath":                 goImportBasePath,
		"generateResourceContainerTypes": true,
		"respectSchemaVersion":           true,
	},
	"csharp": {
		"rootNamespace":        dotnetRootNS,
		"packageReferences":    map[string]any{"Pulumi": "3.*"},
		"respectSchemaVersion": true,
	},
}

// options tune generation independently of the schema.
type options struct {
	// Version overrides the schema's version when not empty.
	Version string
	// Logo is the .NET package icon; nil means the built-in icon.
	Logo []byte
}

// generate produces the files of one language SDK, keyed by slash-separated
// paths relative to that language's directory. Each call binds its own copy of
// the schema: the generators record per-language state in the bound package,
// so a package must never be shared between languages.
func generate(lang string, rawSchema []byte, opts options) (_ map[string][]byte, warnings []string, err error) {
	// The generators panic on some malformed input (the Go one on code that
	// does not gofmt); report that as an error of this language.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("generator panicked: %v", r)
		}
	}()
	spec, warnings, err := prepareSpec(rawSchema, opts)
	if err != nil {
		return nil, warnings, err
	}
	pkg, diags, err := schema.BindSpec(spec, offlineLoader{}, schema.ValidationOptions{})
	if err != nil {
		return nil, warnings, fmt.Errorf("binding schema: %w", err)
	}
	for _, d := range diags {
		if d.Severity != hcl.DiagError {
			warnings = append(warnings, d.Error())
		}
	}
	if diags.HasErrors() {
		return nil, warnings, fmt.Errorf("invalid schema: %w", diags)
	}

	var files map[string][]byte
	switch lang {
	case langNodejs:
		files, err = nodejsgen.GeneratePackage(tool, pkg, nil, nil, false, offlineLoader{})
	case langPython:
		files, err = pythongen.GeneratePackage(tool, pkg, nil, offlineLoader{})
		if err == nil {
			addPythonProjectReadme(files)
		}
	case langGo:
		files, err = gogen.GeneratePackage(tool, pkg, nil)
	case langDotnet:
		// The .NET generator downloads pkg.LogoURL with http.Get to embed it
		// as the NuGet icon; serve it from memory instead (restored even if
		// the generator panics).
		func() {
			defer useOfflineHTTP(logoURL(pkg), opts.Logo)()
			files, err = dotnetgen.GeneratePackage(tool, pkg, nil, nil)
		}()
	default:
		err = fmt.Errorf("unknown language %q", lang)
	}
	if err != nil {
		return nil, warnings, err
	}
	files, err = normalizePaths(files)
	return files, warnings, err
}

// addPythonProjectReadme copies the package's README.md next to
// pyproject.toml. The generated pyproject.toml names "README.md" as the
// project readme, but the Python generator writes it only inside the package
// directory (upstream providers copy it in their Makefiles); without it
// setuptools warns and the wheel has no long description.
func addPythonProjectReadme(files map[string][]byte) {
	if _, ok := files["README.md"]; ok {
		return
	}
	for p := range files {
		if dir, name := path.Split(p); name == "__init__.py" && strings.Count(dir, "/") == 1 {
			if readme, ok := files[dir+"README.md"]; ok {
				files["README.md"] = readme
				return
			}
		}
	}
}

// prepareSpec decodes the schema, fills in the language defaults and applies
// the version override. It is called once per language so that every binding
// starts from a fresh, unshared spec.
func prepareSpec(rawSchema []byte, opts options) (schema.PackageSpec, []string, error) {
	var warnings []string
	var spec schema.PackageSpec
	if err := json.Unmarshal(rawSchema, &spec); err != nil {
		return spec, nil, fmt.Errorf("decoding schema: %w", err)
	}
	if spec.Name == "" {
		return spec, nil, errors.New("schema has no package name")
	}
	if len(spec.Dependencies) > 0 {
		// Referenced packages would have to be loaded from their plugins,
		// which this offline generator cannot do.
		return spec, nil, fmt.Errorf("schema declares package dependencies (%d); sdkgen only generates self-contained packages", len(spec.Dependencies))
	}

	switch {
	case opts.Version != "":
		spec.Version = strings.TrimPrefix(opts.Version, "v")
	case spec.Version == "":
		spec.Version = fallbackVersion
		warnings = append(warnings, fmt.Sprintf("schema has no version; using %s", fallbackVersion))
	}
	if _, err := semver.ParseTolerant(spec.Version); err != nil {
		return spec, warnings, fmt.Errorf("version %q is not semver: %w", spec.Version, err)
	}

	lang, w, err := withLanguageDefaults(spec.Language)
	if err != nil {
		return spec, warnings, err
	}
	spec.Language = lang
	return spec, append(warnings, w...), nil
}

// withLanguageDefaults returns a copy of the schema's language section in which
// every top-level key of LanguageDefaults that the schema lacks is filled in.
func withLanguageDefaults(in map[string]schema.RawMessage) (map[string]schema.RawMessage, []string, error) {
	var warnings []string
	out := make(map[string]schema.RawMessage, len(in)+len(LanguageDefaults))
	maps.Copy(out, in)
	for _, key := range slices.Sorted(maps.Keys(LanguageDefaults)) {
		merged := map[string]any{}
		if raw, ok := in[key]; ok && len(raw) > 0 {
			if err := json.Unmarshal(raw, &merged); err != nil {
				return nil, nil, fmt.Errorf("schema language.%s: %w", key, err)
			}
		}
		for k, v := range LanguageDefaults[key] {
			have, ok := merged[k]
			if ok && isInferPlaceholder(key, k, have) {
				warnings = append(warnings, fmt.Sprintf(
					"schema language.%s.%s is infer's placeholder %v; using %v", key, k, have, v))
				ok = false
			}
			if !ok {
				merged[k] = v
			} else if !jsonEqual(have, v) && namesPackage(key, k) {
				warnings = append(warnings, fmt.Sprintf(
					"schema language.%s.%s is %v; the build checks and docs expect %v", key, k, have, v))
			}
		}
		raw, err := json.Marshal(merged) // map keys are sorted: deterministic
		if err != nil {
			return nil, nil, err
		}
		out[key] = raw
	}
	return out, warnings, nil
}

// isInferPlaceholder recognises the Go import path that pulumi-go-provider's
// infer invents when the provider sets neither a Go import path nor a
// repository ("local-package/sdk/go/<name>"): it is never what we publish.
func isInferPlaceholder(lang, key string, value any) bool {
	s, ok := value.(string)
	return ok && lang == "go" && key == "importBasePath" && strings.HasPrefix(s, "local-package/")
}

// namesPackage tells which language keys name the published package: a schema
// that disagrees with the defaults there is allowed, but worth a warning.
func namesPackage(lang, key string) bool {
	switch lang + "." + key {
	case "nodejs.packageName", "python.packageName", "go.importBasePath", "csharp.rootNamespace":
		return true
	}
	return false
}

// jsonEqual compares two values by their JSON encoding.
func jsonEqual(a, b any) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && reflect.DeepEqual(ja, jb)
}

// normalizePaths checks that every generated path is relative and stays inside
// the language directory, and converts it to a clean slash-separated form.
func normalizePaths(files map[string][]byte) (map[string][]byte, error) {
	out := make(map[string][]byte, len(files))
	for p, content := range files {
		clean := path.Clean(strings.ReplaceAll(p, "\\", "/"))
		if clean == "." || path.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, "../") {
			return nil, fmt.Errorf("generator produced an unsafe path %q", p)
		}
		if _, dup := out[clean]; dup {
			return nil, fmt.Errorf("generator produced %q twice", clean)
		}
		out[clean] = content
	}
	return out, nil
}

// offlineLoader is the schema loader used for binding and generation. The
// defang schema is self-contained, so any attempt to load another package is an
// error that names the offending reference (typically an output typed as a
// resource of another provider, which the schema must not contain).
type offlineLoader struct{}

var _ schema.ReferenceLoader = offlineLoader{}

func (offlineLoader) refuse(name string) error {
	return fmt.Errorf("schema references package %q: sdkgen generates self-contained packages only "+
		"(use plain ids, ARNs and names instead of another provider's types)", name)
}

func (l offlineLoader) LoadPackage(pkg string, _ *semver.Version) (*schema.Package, error) {
	return nil, l.refuse(pkg)
}

func (l offlineLoader) LoadPackageV2(_ context.Context, d *schema.PackageDescriptor) (*schema.Package, error) {
	return nil, l.refuse(d.Name)
}

func (l offlineLoader) LoadPackageReference(pkg string, _ *semver.Version) (schema.PackageReference, error) {
	return nil, l.refuse(pkg)
}

func (l offlineLoader) LoadPackageReferenceV2(
	_ context.Context, d *schema.PackageDescriptor,
) (schema.PackageReference, error) {
	return nil, l.refuse(d.Name)
}
