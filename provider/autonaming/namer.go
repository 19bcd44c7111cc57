package autonaming

import (
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Auto is how a cloud provider autonames a type when its name input is
// left out: the logical name, optionally lowercased, Sep and Random random
// characters; Max > 0 is the length over which the provider refuses
// (pulumi's resource.NewUniqueName) at preview.
type Auto struct {
	Max    int
	Sep    string
	Random int
	Lower  bool
}

// Request is one name to decide.
type Request struct {
	// Type is the resource type token: its autonaming strategy is looked up
	// by it.
	Type string
	// Logical is the resource's logical (URN) name: what the provider
	// autonames from.
	Logical string
	// Base is the name before any pattern: for a type we leave to the
	// provider's autonaming, the logical name built from the names as the
	// user wrote them (service "Api.V2", not its DNS label "api-v2"), so
	// that names rewritten by Fit keep them apart; for a name we always
	// set, our own name. Empty means Logical.
	Base string
	Rule Rule
	// Auto is the provider's autonaming of Type; nil means we always set
	// the name (the provider cannot autoname it, or we want our own).
	Auto *Auto
	// Salt are the values whose change replaces the resource; they seed
	// the random parts, so that a replacement created before the old one
	// is deleted (create-before-delete) gets another name.
	Salt []string
}

// Name is a decided name.
type Name struct {
	// Value is the name to set; "" leaves the name input out, to the
	// provider's autonaming.
	Value string
	// DeleteFirst: the name has no random part, so a replacement must
	// delete the old resource first, as the engine does for patterns
	// without one (resource/autonaming/strategy.go).
	DeleteFirst bool
}

// Input is the name as a resource input: nil when it is left to the
// provider.
func (n Name) Input() pulumi.StringPtrInput {
	if n.Value == "" {
		return nil
	}
	return pulumi.String(n.Value)
}

// Namer decides the names of one stack.
type Namer struct {
	cfg            *Config
	project, stack string
}

// NewNamer is the namer of ctx's stack and its `pulumi:autonaming`.
func NewNamer(ctx *pulumi.Context) (*Namer, error) {
	cfg, err := FromContext(ctx)
	if err != nil {
		return nil, err
	}
	return &Namer{cfg: cfg, project: ctx.Project(), stack: ctx.Stack()}, nil
}

// NewNamerFor is a namer for a configuration and stack, for callers with
// no pulumi.Context (tests).
func NewNamerFor(cfg *Config, project, stack string) *Namer {
	return &Namer{cfg: cfg, project: project, stack: stack}
}

// Mode is the strategy mode of typ.
func (n *Namer) Mode(typ string) Mode { return n.cfg.For(typ).Mode }

// Name decides one name:
//   - default mode, a type the provider autonames, and the provider's name
//     would fit: left to the provider (its random suffix also keeps a
//     create-before-delete replacement apart);
//   - default mode otherwise: Base plus Auto's separator and random
//     characters (our own, seeded), as the provider would have named it,
//     or Base itself for a name we always set;
//   - verbatim and disabled: Base (disabled: the engine would refuse to
//     autoname, so the name is always set);
//   - a pattern: the pattern with ${name} = Base.
//
// In every case the result is then made to fit Rule (Rule.Fit).
func (n *Namer) Name(req Request) Name {
	base := req.Base
	if base == "" {
		base = req.Logical
	}
	st := n.cfg.For(req.Type)
	pattern, deleteFirst := "${name}", true
	switch st.Mode {
	case Default:
		if req.Auto != nil {
			if autoFits(req) {
				return Name{}
			}
			pattern, deleteFirst = "${name}"+req.Auto.Sep+"${hex("+strconv.Itoa(req.Auto.Random)+")}", false
		} else {
			deleteFirst = false // our own name, as before any configuration
		}
	case Pattern:
		pattern = st.Pattern
	}
	seed := Seed(append([]string{n.project, n.stack, req.Type, req.Logical, base}, req.Salt...)...)
	value, hasRandom := Expand(pattern, base, seed)
	if st.Mode == Pattern {
		deleteFirst = !hasRandom
	}
	if req.Auto != nil && req.Auto.Lower {
		value = strings.ToLower(value)
	}
	return Name{Value: req.Rule.Fit(value), DeleteFirst: deleteFirst}
}

// autoFits says whether the provider's own autonamed value of Logical fits
// the provider's maximum and the cloud's rule.
func autoFits(req Request) bool {
	a := req.Auto
	v := req.Logical
	if a.Lower {
		v = strings.ToLower(v)
	}
	v += a.Sep + strings.Repeat("a", a.Random)
	if a.Max > 0 && len(v) > a.Max {
		return false
	}
	return req.Rule.Valid(v)
}
