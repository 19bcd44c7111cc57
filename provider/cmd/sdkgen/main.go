// Command sdkgen writes the language SDKs of the defang Pulumi package from its
// schema, without the Pulumi CLI and without network access.
//
//	go run ./provider/cmd/sdkgen -schema schema.json -out sdk
//
// writes
//
//	sdk/nodejs   npm package @defang-io/pulumi-defang
//	sdk/python   Python package pulumi_defang
//	sdk/go       Go package github.com/DefangLabs/pulumi-defang/sdk/go/defang
//	             (built inside the root module; no go.mod of its own)
//	sdk/dotnet   NuGet package / namespace DefangLabs.Defang
//
// Every language directory is owned by the generator: files that the current
// schema no longer produces are deleted, except build outputs matched by the
// keep list (node_modules, bin, obj, __pycache__, ...). Files whose content is
// unchanged are not rewritten, so a second run touches nothing.
//
// With -check nothing is written: the command lists every file that is
// missing, stale or different and exits with status 1 if there is any.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// exitCheckFailed is the exit status of -check when the SDKs are out of date.
const exitCheckFailed = 1

func main() {
	if err := run(os.Args[1:]); err != nil {
		if _, ok := err.(checkFailedError); ok {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(exitCheckFailed)
		}
		fmt.Fprintln(os.Stderr, "sdkgen:", err)
		os.Exit(2)
	}
}

// checkFailedError reports that -check found differences.
type checkFailedError struct{ count int }

func (e checkFailedError) Error() string {
	return fmt.Sprintf("sdkgen: %d file(s) under the SDK directory differ from what the schema generates; run `make sdks` and commit the result", e.count)
}

func run(args []string) error {
	fs := flag.NewFlagSet("sdkgen", flag.ContinueOnError)
	schemaPath := fs.String("schema", "./schema.json", "path of the package schema")
	outDir := fs.String("out", "./sdk", "directory that receives one sub-directory per language")
	langs := fs.String("languages", strings.Join(allLanguages, ","), "comma-separated languages to generate")
	version := fs.String("version", "", "package version to stamp into the SDKs (default: the schema's version)")
	logo := fs.String("logo", "", "PNG file used as the .NET package icon (default: a built-in icon; the network is never used)")
	keep := fs.String("keep", "", "extra comma-separated patterns of files the generator must not delete (see -help)")
	check := fs.Bool("check", false, "write nothing; exit 1 if the SDK directories differ from the generated output")
	quiet := fs.Bool("quiet", false, "print only warnings and errors")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: sdkgen [flags]\n\n")
		fs.PrintDefaults()
		fmt.Fprintf(fs.Output(), "\nkeep patterns: a pattern without '/' matches any path element (like a .gitignore\n"+
			"basename, e.g. node_modules or *.egg-info); a pattern with '/' matches a path relative\n"+
			"to the language directory (e.g. README.md stays generated, docs/* would be kept).\n"+
			"Always kept: %s\n", describeDefaultKeep())
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return fmt.Errorf("unexpected arguments: %v", fs.Args())
	}

	languages, err := parseLanguages(*langs)
	if err != nil {
		return err
	}

	raw, err := os.ReadFile(*schemaPath)
	if err != nil {
		return err
	}

	opts := options{Version: *version}
	if *logo != "" {
		if opts.Logo, err = os.ReadFile(*logo); err != nil {
			return err
		}
	}
	extraKeep := splitList(*keep)

	// Generate everything in memory first, so a failure in one language leaves
	// the tree untouched.
	generated := make(map[string]map[string][]byte, len(languages))
	warned := map[string]bool{} // the schema is bound once per language: report each warning once
	for _, lang := range languages {
		files, warnings, err := generate(lang, raw, opts)
		for _, w := range warnings {
			if !warned[w] {
				warned[w] = true
				fmt.Fprintf(os.Stderr, "sdkgen: warning: %s\n", w)
			}
		}
		if err != nil {
			return fmt.Errorf("%s: %w", lang, err)
		}
		generated[lang] = files
	}

	differences := 0
	for _, lang := range languages {
		dir := filepath.Join(*outDir, lang)
		keep := append(slices.Clone(defaultKeep[lang]), extraKeep...)
		if *check {
			diffs, err := compareDir(dir, generated[lang], keep)
			if err != nil {
				return err
			}
			for _, d := range diffs {
				fmt.Fprintf(os.Stderr, "%s: %s\n", d.kind, filepath.Join(dir, filepath.FromSlash(d.path)))
			}
			differences += len(diffs)
			continue
		}
		stats, err := syncDir(dir, generated[lang], keep)
		if err != nil {
			return err
		}
		if !*quiet {
			fmt.Printf("sdkgen: %-6s -> %s: %d files (%d written, %d removed)\n",
				lang, dir, len(generated[lang]), stats.written, stats.removed)
		}
	}
	if differences > 0 {
		return checkFailedError{differences}
	}
	if *check && !*quiet {
		fmt.Printf("sdkgen: %s is up to date with %s\n", *outDir, *schemaPath)
	}
	return nil
}

// parseLanguages validates a comma-separated language list and returns it in
// the canonical order, without duplicates.
func parseLanguages(list string) ([]string, error) {
	want := splitList(list)
	if len(want) == 0 {
		return nil, fmt.Errorf("no languages given")
	}
	for _, l := range want {
		if !slices.Contains(allLanguages, l) {
			return nil, fmt.Errorf("unknown language %q (known: %s)", l, strings.Join(allLanguages, ", "))
		}
	}
	var out []string
	for _, l := range allLanguages {
		if slices.Contains(want, l) {
			out = append(out, l)
		}
	}
	return out, nil
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}
