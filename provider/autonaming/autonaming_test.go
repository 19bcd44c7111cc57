package autonaming

import (
	"strings"
	"testing"
)

func TestParseResolvesLevels(t *testing.T) {
	raw := `{"pattern":"${project}-${stack}-${name}","providers":{"aws":{"mode":"verbatim","resources":{"aws:s3/bucketV2:BucketV2":{"pattern":"${name}-${hex(4)}"}}},"azure-native":{"mode":"disabled"}}}`
	c, err := Parse(raw, Stack{Project: "p", Stack: "s"})
	if err != nil {
		t.Fatal(err)
	}
	for typ, want := range map[string]Strategy{
		"aws:iam/role:Role":              {Mode: Verbatim},
		"aws:s3/bucketV2:BucketV2":       {Mode: Pattern, Pattern: "${name}-${hex(4)}"},
		"azure-native:app:ContainerApp":  {Mode: Disabled},
		"random:index/randomId:RandomId": {Mode: Pattern, Pattern: "p-s-${name}"},
	} {
		if got := c.For(typ); got != want {
			t.Errorf("%s: %+v, want %+v", typ, got, want)
		}
	}
}

func TestParseRefusesWhatTheCLIRefuses(t *testing.T) {
	for _, raw := range []string{
		`{"mode":"default","pattern":"x"}`,
		`{"enforce":true}`,
		`{"mode":"sometimes"}`,
		`{"providers":{"aws":{"resources":{"aws:iam/role:Role":{}}}}}`,
		`{"patern":"typo"}`,
		`{"pattern":"${config.missing}"}`,
	} {
		if _, err := Parse(raw, Stack{}); err == nil {
			t.Errorf("%s: no error", raw)
		}
	}
}

func TestExpandIsDeterministic(t *testing.T) {
	p := "${name}-${hex(6)}-${alphanum(4)}-${string(3)}-${num(2)}-${uuid}"
	a, r := Expand(p, "web", Seed("proj", "dev", "web"))
	b, _ := Expand(p, "web", Seed("proj", "dev", "web"))
	c, _ := Expand(p, "web", Seed("proj", "prod", "web"))
	if !r || a != b || a == c || !strings.HasPrefix(a, "web-") || len(a) != len("web-")+6+1+4+1+3+1+2+1+36 {
		t.Fatalf("%q %q %q", a, b, c)
	}
	if _, r := Expand("${name}", "web", nil); r {
		t.Fatal("no random part reported as random")
	}
}

func TestFitKeepsCollidingNamesApart(t *testing.T) {
	r := Rule{Max: 32, Extra: "-", Sep: '-'}
	seen := map[string]string{}
	for _, s := range []string{"shop-api.v2", "shop-api-v2", "shop-api_v2", "shop-Api-v2"} {
		got := r.Fit(s)
		if !r.Valid(got) {
			t.Errorf("%q -> %q is not valid", s, got)
		}
		if o, ok := seen[got]; ok {
			t.Errorf("%q and %q both give %q", o, s, got)
		}
		seen[got] = s
	}
	if got := r.Fit("shop-api-v2"); got != "shop-api-v2" {
		t.Errorf("a valid name was changed: %q", got)
	}
	long := strings.Repeat("x", 100)
	if got := r.Fit(long); len(got) != 32 || got != r.Fit(long) {
		t.Errorf("%q", got)
	}
	strict := Rule{Min: 3, Max: 24, Lower: true, LetterFirst: true}
	for _, s := range []string{"1", "--", "Ab", strings.Repeat("9", 40)} {
		if got := strict.Fit(s); !strict.Valid(got) {
			t.Errorf("%q -> %q is not valid", s, got)
		}
	}
	lb := Rule{Max: 32, Extra: "-", Sep: '-', NotPrefix: []string{"internal-"}}
	if got := lb.Fit("internal-alb"); !lb.Valid(got) {
		t.Errorf("%q", got)
	}
}

func TestNamerModes(t *testing.T) {
	rule := Rule{Max: 32, Extra: "-", Sep: '-'}
	auto := &Auto{Max: 32, Sep: "-", Random: 7}
	req := func(logical string) Request {
		return Request{Type: "aws:lb/targetGroup:TargetGroup", Logical: logical, Rule: rule, Auto: auto, Salt: []string{"8080", "HTTP"}}
	}
	def := NewNamerFor(&Config{}, "p", "dev")
	if n := def.Name(req("shop-web-80")); n.Value != "" {
		t.Errorf("a fitting name was set: %+v", n)
	}
	n := def.Name(req("my-shop-app-storefront-8080"))
	if !rule.Valid(n.Value) || n.DeleteFirst {
		t.Errorf("%+v", n)
	}
	other := def.Name(Request{Type: req("").Type, Logical: "my-shop-app-storefront-8080", Rule: rule, Auto: auto, Salt: []string{"8080", "HTTP2"}})
	if other.Value == n.Value {
		t.Error("a replacement gets the same name")
	}
	c, _ := Parse(`{"mode":"verbatim"}`, Stack{})
	if n := NewNamerFor(c, "p", "dev").Name(req("shop-web-80")); n.Value != "shop-web-80" || !n.DeleteFirst {
		t.Errorf("verbatim: %+v", n)
	}
	c, _ = Parse(`{"pattern":"corp-${stack}-${name}-${hex(4)}"}`, Stack{Stack: "dev"})
	if n := NewNamerFor(c, "p", "dev").Name(req("shop-web-80")); !strings.HasPrefix(n.Value, "corp-dev-shop-web-80-") || len(n.Value) != 25 || n.DeleteFirst {
		t.Errorf("pattern: %+v", n)
	}
}

func TestFitNeverPanicsOnTinyRules(t *testing.T) {
	for max := 0; max < 12; max++ {
		for _, r := range []Rule{{Max: max, Extra: "-", Sep: '-'}, {Max: max, LetterFirst: true}} {
			_ = r.Fit(strings.Repeat("x.", 20))
		}
	}
}
