package cloudrules

import (
	"regexp"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/property"
)

const testType = "test:index/thing:Thing"

func init() {
	Register(TypeRules{Token: testType,
		Autoname: &Autonaming{Property: "name", Max: 32, Separator: "-", RandomChars: 7, Source: "test"},
		Strings: []StringRule{
			{Path: "name", Max: 32, Pattern: regexp.MustCompile(`[A-Za-z0-9-]+`), Style: StyleAWSAPI, Source: "test"},
			{Path: "defs(json)[].ports[].name", Max: 8, Style: StyleDoc, Describe: "at most 8", Source: "https://example.test"},
		}})
}

func TestAutonameRefusesLikeNewUniqueName(t *testing.T) {
	_, err := Autoname(testType, "my-shop-app-storefront-8080", "abcdef0123", property.Map{})
	want := "could not make instance of 'test:index/thing:Thing': name 'my-shop-app-storefront-8080-' plus 7 random chars is longer than maximum length 32"
	if err == nil || err.Error() != want {
		t.Fatalf("got %v, want %s", err, want)
	}
	got, err := Autoname(testType, "web", "abcdef0123", property.Map{})
	if err != nil || got.Get("name").AsString() != "web-abcdef0" {
		t.Fatalf("got %v %v", got, err)
	}
	// A name given is kept as it is.
	given := property.NewMap(map[string]property.Value{"name": property.New("x")})
	if got, _ := Autoname(testType, "web", "abcdef0123", given); got.Get("name").AsString() != "x" {
		t.Fatalf("given name replaced: %v", got)
	}
}

func TestCheckWalksJSONAndArrays(t *testing.T) {
	in := property.NewMap(map[string]property.Value{
		"name": property.New("bad.name"),
		"defs": property.New(`[{"ports":[{"name":"ok"},{"name":"much-too-long"}]}]`),
	})
	vs := Check(testType, "res", in)
	if len(vs) != 2 {
		t.Fatalf("want 2 violations, got %v", vs)
	}
	if vs[0].Property != "name" || !strings.Contains(vs[0].Message, "at 'name' failed to satisfy constraint") {
		t.Errorf("name: %+v", vs[0])
	}
	if vs[1].Property != "defs[0].ports[1].name" || !strings.Contains(vs[1].Message, "much-too-long") {
		t.Errorf("port name: %+v", vs[1])
	}
}

func TestCheckNeverQuotesSecrets(t *testing.T) {
	in := property.NewMap(map[string]property.Value{"name": property.New("sup3r.s3cret").WithSecret(true)})
	vs := Check(testType, "res", in)
	if len(vs) != 1 || strings.Contains(vs.Error(), "s3cret") {
		t.Fatalf("got %v", vs)
	}
}

func TestUnknownsAreNotChecked(t *testing.T) {
	in := property.NewMap(map[string]property.Value{"name": property.New(property.Computed)})
	if vs := Check(testType, "res", in); len(vs) != 0 {
		t.Fatalf("got %v", vs)
	}
}

func TestPatternsMatchTheWholeValue(t *testing.T) {
	// IAM's path pattern is an unanchored alternation; its second branch
	// must still be tried against the whole value.
	re := regexp.MustCompile(`(/)|(/[!-~]+/)`)
	if !fullMatch(re, "/defang/") || fullMatch(re, "defang/") {
		t.Fatal("an alternation is not matched against the whole value")
	}
}
