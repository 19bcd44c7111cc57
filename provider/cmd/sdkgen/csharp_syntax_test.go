package main

// No .NET SDK is needed to run these tests: C# is parsed with tree-sitter's C#
// grammar (cgo). They check that the generated C# SDK and the C# example are
// syntactically valid, and that the example only names types the generated
// SDK declares. Where a .NET SDK exists, mk/sdk.mk's build-sdk-dotnet also
// compiles the SDK.

import (
	"context"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	sitter "github.com/smacker/go-tree-sitter"
	"github.com/smacker/go-tree-sitter/csharp"
)

// parseCSharp parses one C# compilation unit.
func parseCSharp(src []byte) (*sitter.Tree, error) {
	p := sitter.NewParser()
	defer p.Close()
	p.SetLanguage(csharp.GetLanguage())
	tree, err := p.ParseCtx(context.Background(), nil, src)
	if err != nil {
		return nil, err
	}
	if tree == nil {
		return nil, fmt.Errorf("tree-sitter returned no tree")
	}
	return tree, nil
}

// csharpSyntaxErrors returns "name:line:column: ..." for every ERROR and
// MISSING node of src (lines and columns are 1-based; columns count bytes).
func csharpSyntaxErrors(name string, src []byte) ([]string, error) {
	tree, err := parseCSharp(src)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	root := tree.RootNode()
	var problems []string
	report := func(n *sitter.Node, msg string) {
		p := n.StartPoint()
		problems = append(problems, fmt.Sprintf("%s:%d:%d: %s", name, p.Row+1, p.Column+1, msg))
	}
	var walk func(n *sitter.Node)
	walk = func(n *sitter.Node) {
		switch {
		case n.IsMissing():
			report(n, fmt.Sprintf("missing %q", n.Type()))
			return
		case n.IsError():
			// Unclosed braces make tree-sitter wrap everything from the
			// opening construct in one ERROR, so its end is reported too.
			end := n.EndPoint()
			report(n, fmt.Sprintf("syntax error (to %d:%d) at %q", end.Row+1, end.Column+1, excerpt(n.Content(src))))
			return // an ERROR's contents are not reported again
		case !n.HasError():
			return
		}
		for i := 0; i < int(n.ChildCount()); i++ {
			walk(n.Child(i))
		}
	}
	walk(root)
	if len(problems) == 0 && root.HasError() {
		report(root, "tree-sitter reports an error but no ERROR or MISSING node")
	}
	return problems, nil
}

func excerpt(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 40 {
		s = s[:40] + "..."
	}
	return s
}

// repoRoot is the root of the module, found from this file's location (three
// directories up), falling back to the working directory (go test runs in the
// package directory) when the path was trimmed.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir := ""
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		dir = filepath.Dir(file)
	} else if wd, err := os.Getwd(); err == nil {
		dir = wd
	} else {
		t.Fatal(err)
	}
	root := filepath.Join(dir, "..", "..", "..")
	mod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil || !strings.HasPrefix(string(mod), "module github.com/DefangLabs/pulumi-defang\n") {
		t.Fatalf("%s is not the repository root (go.mod: %v)", root, err)
	}
	return root
}

// csFiles reads the .cs files under dir (recursively), keyed by their path
// relative to root, with forward slashes.
func csFiles(t *testing.T, root, dir string, recursive bool) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(filepath.Join(root, dir), func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if !recursive && path != filepath.Join(root, dir) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".cs") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		files[filepath.ToSlash(rel)] = src
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no .cs files under %s", dir)
	}
	return files
}

func checkCSharpSyntax(t *testing.T, files map[string][]byte) {
	t.Helper()
	for _, name := range slices.Sorted(maps.Keys(files)) {
		problems, err := csharpSyntaxErrors(name, files[name])
		if err != nil {
			t.Error(err)
			continue
		}
		for _, p := range problems {
			t.Error(p)
		}
	}
}

// TestCSharpSyntax parses the committed C# SDK, the C# example, and the C# SDK
// generated from the sample schema.
func TestCSharpSyntax(t *testing.T) {
	root := repoRoot(t)
	t.Run("sdk/dotnet", func(t *testing.T) {
		checkCSharpSyntax(t, csFiles(t, root, "sdk/dotnet", true))
	})
	t.Run("examples/aws-csharp", func(t *testing.T) {
		checkCSharpSyntax(t, csFiles(t, root, "examples/aws-csharp", false))
	})
	t.Run("sample schema", func(t *testing.T) {
		files := map[string][]byte{}
		for rel, content := range mustGenerate(t, langDotnet, readSample(t), options{}) {
			if strings.HasSuffix(rel, ".cs") {
				files["(generated from "+sampleSchema+") "+rel] = content
			}
		}
		if len(files) == 0 {
			t.Fatal("the sample schema generated no .cs files")
		}
		checkCSharpSyntax(t, files)
	})
}

// TestCSharpSyntaxCheckRejectsBrokenCode: the check is not too lax.
func TestCSharpSyntaxCheckRejectsBrokenCode(t *testing.T) {
	for name, tc := range map[string]struct {
		src  string
		want string // a substring of one reported problem, position included
	}{
		"missing closing brace": {
			src:  "namespace N\n{\n    public class C\n    {\n        public int X { get; set; }\n\n}\n",
			want: `snippet.cs:1:1: syntax error (to 7:2) at "namespace N {`,
		},
		"missing semicolon": {
			src:  "class C\n{\n    void M()\n    {\n        var x = 1\n        var y = 2;\n    }\n}\n",
			want: `:5:18: missing ";"`,
		},
		"stray token": {
			src:  "class C\n{\n    void M()\n    {\n        var x = 1;\n        ) \n    }\n}\n",
			want: `:6:9: syntax error (to 6:10) at ")"`,
		},
		"unbalanced parenthesis": {
			src:  "class C\n{\n    int M() => Math.Max(1, 2;\n}\n",
			want: "snippet.cs:3:",
		},
		"property without accessor body": {
			src:  "class C\n{\n    public string? Name { get; set;\n}\n",
			want: "snippet.cs:",
		},
	} {
		problems, err := csharpSyntaxErrors("snippet.cs", []byte(tc.src))
		if err != nil {
			t.Fatal(err)
		}
		if len(problems) == 0 {
			t.Errorf("%s: no syntax error reported for:\n%s", name, tc.src)
			continue
		}
		if !slices.ContainsFunc(problems, func(p string) bool { return strings.Contains(p, tc.want) }) {
			t.Errorf("%s: want a problem containing %q, got %q", name, tc.want, problems)
		}
	}
}

// modernCSharp uses what the generated SDK and example use (attributes,
// nullable reference types, generics, lambdas, expression-bodied members,
// object and index initializers, top-level statements) and other C# 9-10
// syntax (file-scoped namespaces, records, init accessors, patterns).
const modernCSharp = `using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using Pulumi;
using Alias = DefangLabs.Defang;

namespace DefangLabs.Defang.Sample;

public record Point(int X, int Y);

public record struct Size(int Width, int Height)
{
    public int Area => Width * Height;
}

[DefangResourceType("defang:index:Sample")]
public partial class Sample : global::Pulumi.ComponentResource
{
    [Output("names")]
    public Output<ImmutableDictionary<string, Outputs.ServiceOutput>> Names { get; private set; } = null!;

    public string? Label { get; init; }

    private T _value = default!;

    public Sample(string name, SampleArgs? args = null, ComponentResourceOptions? options = null)
        : base("defang:index:Sample", name, args ?? new SampleArgs(), options, remote: true)
    {
    }

    public static int? GetEnvInt32(params string[] names) => int.TryParse(GetEnv(names), out int v) ? (int?)v : null;

    public static global::Pulumi.InvokeOptions WithDefaults(this global::Pulumi.InvokeOptions? src)
    {
        var dst = src ?? new global::Pulumi.InvokeOptions{};
        dst.Version = src?.Version ?? Version;
        return dst;
    }

    static Sample()
    {
        using var reader = new global::System.IO.StreamReader(stream ?? throw new global::System.NotSupportedException("no"));
        var kind = reader.ReadToEnd() switch
        {
            "" or null => "empty",
            { Length: > 10 } s => $"long: {s}",
            _ => "short",
        };
        if (kind is not "empty" && args is { Label: not null })
        {
            Func<int, int> twice = x => x * 2;
            var sizes = new List<Size> { new(1, 2), new Size(3, 4) with { Width = 5 } };
        }
    }

    public InputMap<string> Config
    {
        get => _config ?? (_config = new InputMap<string>());
        set
        {
            var emptySecret = Output.CreateSecret(ImmutableDictionary.Create<string, string>());
            _config = Output.All(value, emptySecret).Apply(v => v[0]);
        }
    }

    public static new SampleArgs Empty => new SampleArgs();
}
`

const topLevelCSharp = `using System.Collections.Generic;
using Pulumi;
using Defang = DefangLabs.Defang;

return await Deployment.RunAsync(() =>
{
    var app = new Defang.Project("shop", new Defang.ProjectArgs
    {
        Config = new InputMap<string> { { "A", "b" } },
    });
    return new Dictionary<string, object?> { ["vpcId"] = app.VpcId };
});
`

// TestCSharpSyntaxCheckAcceptsModernCode: the check is not too strict.
func TestCSharpSyntaxCheckAcceptsModernCode(t *testing.T) {
	for name, src := range map[string]string{"modern.cs": modernCSharp, "toplevel.cs": topLevelCSharp} {
		problems, err := csharpSyntaxErrors(name, []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range problems {
			t.Error(p)
		}
	}
}

// csharpTypes returns the full names (Namespace.Type, nested types as
// Namespace.Outer.Inner) of the public types declared in files, and the
// namespaces they declare (with every enclosing namespace).
func csharpTypes(t *testing.T, files map[string][]byte) (types, namespaces map[string]bool) {
	t.Helper()
	types, namespaces = map[string]bool{}, map[string]bool{}
	addNamespace := func(ns string) {
		for ; ns != ""; ns = ns[:max(strings.LastIndex(ns, "."), 0)] {
			namespaces[ns] = true
		}
	}
	for name, src := range files {
		tree, err := parseCSharp(src)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		root := tree.RootNode()
		// A file-scoped namespace applies to the whole file; the grammar may
		// or may not make the declarations its children.
		fileNS := ""
		for i := 0; i < int(root.NamedChildCount()); i++ {
			if c := root.NamedChild(i); c.Type() == "file_scoped_namespace_declaration" {
				fileNS = c.ChildByFieldName("name").Content(src)
				addNamespace(fileNS)
			}
		}
		// public is false inside a type that is not public.
		var walk func(n *sitter.Node, scope string, public bool)
		walk = func(n *sitter.Node, scope string, public bool) {
			switch n.Type() {
			case "namespace_declaration":
				if ns := n.ChildByFieldName("name").Content(src); scope == "" {
					scope = ns
				} else {
					scope += "." + ns
				}
				addNamespace(scope)
			case "class_declaration", "struct_declaration", "record_declaration", "record_struct_declaration",
				"interface_declaration", "enum_declaration", "delegate_declaration":
				scope = strings.TrimPrefix(scope+"."+n.ChildByFieldName("name").Content(src), ".")
				public = public && slices.ContainsFunc(namedChildren(n), func(c *sitter.Node) bool {
					return c.Type() == "modifier" && c.Content(src) == "public"
				})
				if public {
					types[scope] = true
				}
			}
			for _, c := range namedChildren(n) {
				walk(c, scope, public)
			}
		}
		walk(root, fileNS, true)
	}
	return types, namespaces
}

func namedChildren(n *sitter.Node) []*sitter.Node {
	children := make([]*sitter.Node, n.NamedChildCount())
	for i := range children {
		children[i] = n.NamedChild(i)
	}
	return children
}

// TestCSharpExampleNamesSDKTypes checks that every name the C# example reaches
// through an alias of the SDK's namespace (using Defang = DefangLabs.Defang;),
// or fully qualified as DefangLabs.X, is a type the generated SDK declares:
// Defang.ProjectArgs, new Defang.Inputs.AwsArgsArgs, Defang.Aws.Network.Get(...).
func TestCSharpExampleNamesSDKTypes(t *testing.T) {
	root := repoRoot(t)
	types, namespaces := csharpTypes(t, csFiles(t, root, "sdk/dotnet", true))
	if !types[dotnetRootNS+".Defang.Project"] || !types[dotnetRootNS+".Defang.ProjectArgs"] {
		t.Fatalf("sdk/dotnet declares no DefangLabs.Defang.Project/ProjectArgs; found %v", slices.Sorted(maps.Keys(types)))
	}

	for name, src := range csFiles(t, root, "examples/aws-csharp", false) {
		refs, problems := checkSDKNames(name, src, types, namespaces)
		t.Logf("%s: %d SDK names checked", name, refs)
		for _, p := range problems {
			t.Error(p)
		}
		if refs == 0 && len(problems) == 0 {
			t.Errorf("%s: names no SDK type through a %s namespace alias; nothing was checked", name, dotnetRootNS)
		}
	}
}

// chainParts flattens a dotted name (identifier, generic_name, qualified_name
// or member_access_expression) into its parts; ok is false when the leftmost
// part is not a simple name (an invocation, this, global::...).
func chainParts(n *sitter.Node, src []byte) (parts []string, generics []*sitter.Node, ok bool) {
	switch n.Type() {
	case "identifier":
		return []string{n.Content(src)}, nil, true
	case "generic_name":
		for i := 0; i < int(n.NamedChildCount()); i++ {
			switch c := n.NamedChild(i); c.Type() {
			case "identifier":
				parts = append(parts, c.Content(src))
			case "type_argument_list":
				generics = append(generics, c)
			}
		}
		return parts, generics, len(parts) == 1
	case "qualified_name", "member_access_expression":
		left, right := n.ChildByFieldName("qualifier"), n.ChildByFieldName("name")
		if n.Type() == "member_access_expression" {
			left = n.ChildByFieldName("expression")
		}
		if left == nil || right == nil {
			return nil, nil, false
		}
		lp, lg, lok := chainParts(left, src)
		rp, rg, rok := chainParts(right, src)
		if !lok || !rok {
			return nil, nil, false
		}
		return append(lp, rp...), append(lg, rg...), true
	}
	return nil, nil, false
}

// checkSDKNames resolves, in one C# file, every dotted name rooted at an alias
// of a DefangLabs namespace, or at DefangLabs itself, against the SDK's types
// and namespaces. It returns how many names it checked and the problems found.
func checkSDKNames(name string, src []byte, types, namespaces map[string]bool) (int, []string) {
	tree, err := parseCSharp(src)
	if err != nil {
		return 0, []string{fmt.Sprintf("%s: %v", name, err)}
	}
	root := tree.RootNode()
	var problems []string
	report := func(n *sitter.Node, format string, args ...any) {
		p := n.StartPoint()
		problems = append(problems, fmt.Sprintf("%s:%d:%d: %s", name, p.Row+1, p.Column+1, fmt.Sprintf(format, args...)))
	}

	// Roots: using Alias = DefangLabs.Defang[.X]; and DefangLabs itself.
	roots := map[string]string{dotnetRootNS: dotnetRootNS}
	for i := 0; i < int(root.NamedChildCount()); i++ {
		u := root.NamedChild(i)
		if u.Type() != "using_directive" {
			continue
		}
		alias := u.ChildByFieldName("name")
		var target *sitter.Node
		for j := 0; j < int(u.NamedChildCount()); j++ {
			if c := u.NamedChild(j); (alias == nil || !c.Equal(alias)) && (c.Type() == "qualified_name" || c.Type() == "identifier") {
				target = c
			}
		}
		if target == nil {
			continue
		}
		tgt := target.Content(src)
		if tgt != dotnetRootNS && !strings.HasPrefix(tgt, dotnetRootNS+".") {
			continue
		}
		if alias == nil {
			// Bare names (Project, Config) would then be unchecked, and
			// ambiguous with Pulumi's Config.
			report(u, "using %s; brings the SDK's names in unqualified; use an alias (using Defang = %s;)", tgt, tgt)
			continue
		}
		if !namespaces[tgt] && !types[tgt] {
			report(target, "%s is not a namespace or type of the SDK", tgt)
			continue
		}
		roots[alias.Content(src)] = tgt
	}

	checked := 0
	// resolve checks one dotted name. In a type (qualified_name) every part
	// must resolve; in an expression the parts after the first type are its
	// members and are not checked.
	resolve := func(n *sitter.Node, parts []string) {
		cur := roots[parts[0]]
		isType := types[cur]
		for _, part := range parts[1:] {
			next := cur + "." + part
			switch {
			case types[next]:
				isType = true
			case isType && n.Type() == "member_access_expression":
				checked++
				return // a member of the type
			case namespaces[next] && !isType:
			default:
				report(n, "%s: %s is not declared in sdk/dotnet", n.Content(src), next)
				return
			}
			cur = next
		}
		if !isType {
			report(n, "%s: %s is a namespace of the SDK, not a type", n.Content(src), cur)
			return
		}
		checked++
	}

	var walk func(n *sitter.Node)
	walk = func(n *sitter.Node) {
		switch n.Type() {
		case "using_directive":
			return // checked above
		case "qualified_name", "member_access_expression", "identifier":
			if parts, generics, ok := chainParts(n, src); ok {
				if _, rooted := roots[parts[0]]; rooted {
					if len(parts) == 1 {
						report(n, "%s used on its own; the check only follows dotted names", parts[0])
					} else {
						resolve(n, parts)
					}
				}
				for _, g := range generics {
					walk(g)
				}
				return
			}
			if n.Type() == "member_access_expression" {
				// x().Y: only the expression can name an SDK type.
				walk(n.ChildByFieldName("expression"))
				return
			}
		}
		for i := 0; i < int(n.NamedChildCount()); i++ {
			walk(n.NamedChild(i))
		}
	}
	walk(root)
	slices.Sort(problems)
	return checked, problems
}

// TestCSharpSDKNameCheck: the name check finds what it should, and only that.
func TestCSharpSDKNameCheck(t *testing.T) {
	declared, declaredNS := csharpTypes(t, map[string][]byte{
		"modern.cs": []byte(modernCSharp),
		"nested.cs": []byte("namespace A { namespace B.C { public class Outer { public enum E { X } internal class Hidden { public class H2 {} } } class Internal {} } }"),
	})
	if got, want := slices.Sorted(maps.Keys(declared)), []string{
		"A.B.C.Outer", "A.B.C.Outer.E",
		"DefangLabs.Defang.Sample.Point", "DefangLabs.Defang.Sample.Sample", "DefangLabs.Defang.Sample.Size",
	}; !slices.Equal(got, want) {
		t.Errorf("declared types %q, want %q", got, want)
	}
	if got, want := slices.Sorted(maps.Keys(declaredNS)), []string{
		"A", "A.B", "A.B.C", "DefangLabs", "DefangLabs.Defang", "DefangLabs.Defang.Sample",
	}; !slices.Equal(got, want) {
		t.Errorf("declared namespaces %q, want %q", got, want)
	}

	types := map[string]bool{
		"DefangLabs.Defang.Project":            true,
		"DefangLabs.Defang.ProjectArgs":        true,
		"DefangLabs.Defang.Config":             true,
		"DefangLabs.Defang.Inputs.AwsArgsArgs": true,
		"DefangLabs.Defang.Aws.Network":        true,
	}
	namespaces := map[string]bool{
		"DefangLabs": true, "DefangLabs.Defang": true, "DefangLabs.Defang.Inputs": true, "DefangLabs.Defang.Aws": true,
	}
	src := `using Pulumi;
using Defang = DefangLabs.Defang;
using D2 = DefangLabs.Defang.Inputs;
using Other = System.Collections;

var p = new Defang.Project("a", new Defang.ProjectArgs
{
    Aws = new Defang.Inputs.AwsArgsArgs { VpcId = "v" },
    Mode = Defang.Config.Mode,
});
var n = new Defang.Aws.Network("n", new Defang.Aws.NetworkArgs());
var q = new D2.AwsArgsArgs();
var r = new DefangLabs.Defang.Projekt("b");
var s = new Dictionary<string, Defang.Outputs.ServiceOutput>();
var u = Other.Thing.Name;
object v = Defang.Inputs;
x.Defang = 1;
`
	checked, problems := checkSDKNames("t.cs", []byte(src), types, namespaces)
	want := []string{
		"t.cs:11:41: Defang.Aws.NetworkArgs: DefangLabs.Defang.Aws.NetworkArgs is not declared in sdk/dotnet",
		"t.cs:13:13: DefangLabs.Defang.Projekt: DefangLabs.Defang.Projekt is not declared in sdk/dotnet",
		"t.cs:14:32: Defang.Outputs.ServiceOutput: DefangLabs.Defang.Outputs is not declared in sdk/dotnet",
		"t.cs:16:12: Defang.Inputs: DefangLabs.Defang.Inputs is a namespace of the SDK, not a type",
	}
	if !slices.Equal(problems, want) {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(problems, "\n"), strings.Join(want, "\n"))
	}
	// Project, ProjectArgs, AwsArgsArgs, Config.Mode, Aws.Network, D2.AwsArgsArgs.
	if checked != 6 {
		t.Errorf("checked %d names, want 6", checked)
	}
}
