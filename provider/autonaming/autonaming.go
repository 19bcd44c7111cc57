// Package autonaming reads the stack's `pulumi:autonaming` configuration and
// expands its patterns for the names this provider sets itself, so that an
// organisation's naming policy reaches every cloud name, not only those the
// engine autonames.
//
// The configuration's shape and meaning are the Pulumi CLI's (pulumi/pulumi
// pkg/v3 v3.259.0, cmd/pulumi/autonaming/config.go and json.go;
// resource/autonaming/strategy.go; docs: https://www.pulumi.com/docs/iac/concepts/resources/names/#autonaming-configuration):
//
//	pulumi:autonaming:
//	  mode: default | verbatim | disabled        # or
//	  pattern: ${project}-${stack}-${name}-${hex(6)}
//	  enforce: true                              # only with pattern
//	  providers:
//	    aws:
//	      pattern: ...
//	      resources:
//	        aws:lb/targetGroup:TargetGroup: ${name}-${num(4)}
//
// A resource type's strategy is its entry under providers.<package>.resources,
// else its provider's, else the root's. Unlike the engine, the random parts
// (${hex(n)}, ${alphanum(n)}, ${string(n)}, ${num(n)}, ${uuid}) are drawn
// from a seed the caller derives from the project, stack and resource names,
// so the same inputs give the same names on every `up` (DESIGN.md section 9).
package autonaming

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

// Mode is how a resource type is named.
type Mode int

const (
	// Default: the provider's own autonaming (logical name and a random
	// suffix); we set a name only where that cannot fit.
	Default Mode = iota
	// Verbatim: the logical name, unchanged.
	Verbatim
	// Disabled: the engine refuses to autoname, so every name is set
	// explicitly (to the logical name, as verbatim).
	Disabled
	// Pattern: the configured pattern.
	Pattern
)

func (m Mode) String() string {
	return [...]string{"default", "verbatim", "disabled", "pattern"}[m]
}

// Strategy is how one resource type is named.
type Strategy struct {
	Mode    Mode
	Pattern string // Mode == Pattern: with ${organization}, ${project}, ${stack} and ${config.*} already resolved
	Enforce bool
}

// naming is one level of the configuration (root, provider or resource), as
// the CLI's namingConfigJSON.
type naming struct {
	Mode    *string `json:"mode,omitempty"`
	Pattern *string `json:"pattern,omitempty"`
	Enforce *bool   `json:"enforce,omitempty"`
}

type providerSection struct {
	naming
	Resources map[string]naming `json:"resources,omitempty"`
}

type section struct {
	naming
	Providers map[string]providerSection `json:"providers,omitempty"`
}

// Config is a parsed `pulumi:autonaming`. The zero value (no configuration)
// names everything in Default mode.
type Config struct {
	root      Strategy
	providers map[string]providerStrategies
}

type providerStrategies struct {
	def       Strategy
	has       bool
	resources map[string]Strategy
}

// Stack is what stack-level expressions resolve to.
type Stack struct {
	Organization, Project, Stack string
	// Config returns the project config value of key for ${config.key}.
	Config func(key string) (string, bool)
}

// Parse reads a `pulumi:autonaming` value (its JSON form, as the engine
// hands stack config to a component provider). An empty string is no
// configuration. Errors are the CLI's.
func Parse(raw string, s Stack) (*Config, error) {
	c := &Config{providers: map[string]providerStrategies{}}
	if strings.TrimSpace(raw) == "" {
		return c, nil
	}
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.DisallowUnknownFields()
	var sec section
	if err := dec.Decode(&sec); err != nil {
		return nil, fmt.Errorf("pulumi:autonaming: invalid autonaming config structure: %w", err)
	}
	root, _, err := resolve(sec.naming, s)
	if err != nil {
		return nil, fmt.Errorf("pulumi:autonaming: %w", err)
	}
	c.root = root
	for name, p := range sec.Providers {
		def, has, err := resolve(p.naming, s)
		if err != nil {
			return nil, fmt.Errorf("pulumi:autonaming: provider %q: %w", name, err)
		}
		ps := providerStrategies{def: def, has: has, resources: map[string]Strategy{}}
		for typ, r := range p.Resources {
			st, has, err := resolve(r, s)
			if err != nil {
				return nil, fmt.Errorf("pulumi:autonaming: resource %q: %w", typ, err)
			}
			if !has {
				return nil, fmt.Errorf("pulumi:autonaming: mode or pattern must be specified for resource %q", typ)
			}
			ps.resources[typ] = st
		}
		c.providers[name] = ps
	}
	return c, nil
}

var configExpr = regexp.MustCompile(`\$\{config\.([^}]+)}`)

// resolve is the CLI's resolveNamingConfig: mode and pattern exclude each
// other, enforce needs a pattern, stack-level expressions are resolved now.
func resolve(n naming, s Stack) (Strategy, bool, error) {
	if n.Mode != nil && (n.Pattern != nil || n.Enforce != nil) {
		return Strategy{}, false, fmt.Errorf("cannot specify both mode and pattern/enforce")
	}
	if n.Pattern != nil {
		p := *n.Pattern
		p = strings.ReplaceAll(p, "${organization}", s.Organization)
		p = strings.ReplaceAll(p, "${project}", s.Project)
		p = strings.ReplaceAll(p, "${stack}", s.Stack)
		var missing error
		p = configExpr.ReplaceAllStringFunc(p, func(m string) string {
			key := configExpr.FindStringSubmatch(m)[1]
			if s.Config != nil {
				if v, ok := s.Config(key); ok {
					return v
				}
			}
			missing = fmt.Errorf("no value found for key %q", key)
			return ""
		})
		if missing != nil {
			return Strategy{}, false, missing
		}
		return Strategy{Mode: Pattern, Pattern: p, Enforce: n.Enforce != nil && *n.Enforce}, true, nil
	}
	if n.Enforce != nil {
		return Strategy{}, false, fmt.Errorf("pattern must be specified when enforce is true")
	}
	if n.Mode == nil {
		return Strategy{Mode: Default}, false, nil
	}
	switch *n.Mode {
	case "default":
		return Strategy{Mode: Default}, true, nil
	case "verbatim":
		return Strategy{Mode: Verbatim}, true, nil
	case "disabled":
		return Strategy{Mode: Disabled}, true, nil
	}
	return Strategy{}, false, fmt.Errorf("invalid naming mode: %s", *n.Mode)
}

// For is the strategy of a resource type token ("aws:lb/targetGroup:TargetGroup"):
// its own entry, else its provider's (the token's package), else the root's.
func (c *Config) For(typ string) Strategy {
	if c == nil {
		return Strategy{}
	}
	pkg, _, _ := strings.Cut(typ, ":")
	if p, ok := c.providers[pkg]; ok {
		if r, ok := p.resources[typ]; ok {
			return r
		}
		if p.has {
			return p.def
		}
	}
	return c.root
}

// FromContext reads `pulumi:autonaming` from the stack config that the
// engine passes to the component provider's Construct: the stack's whole
// decrypted config, object values as JSON (pulumi pkg/v3 v3.259.0
// resource/deploy/source_eval.go, evalSource.Iterate → constructInfo.Config),
// which pulumi-go-provider v1.5.0 hands on as ConstructRequest.Config and
// the SDK's provider.Construct makes ctx's config.
func FromContext(ctx *pulumi.Context) (*Config, error) {
	raw := config.New(ctx, "pulumi").Get("autonaming")
	return Parse(raw, Stack{Organization: ctx.Organization(), Project: ctx.Project(), Stack: ctx.Stack(),
		Config: func(key string) (string, bool) {
			v, err := config.New(ctx, ctx.Project()).Try(key)
			return v, err == nil
		}})
}

var randomExpr = regexp.MustCompile(`\$\{(hex|alphanum|string|num)\((\d+)\)\}|\$\{uuid\}`)

// Expand fills the pattern for logical: ${name} is logical, and each random
// part is drawn from seed, deterministically. hasRandom says whether the
// pattern had any random part: without one, a replacement must delete first
// (the engine's rule in resource/autonaming/strategy.go).
func Expand(pattern, logical string, seed []byte) (name string, hasRandom bool) {
	out := strings.ReplaceAll(pattern, "${name}", logical)
	r := newStream(seed)
	out = randomExpr.ReplaceAllStringFunc(out, func(m string) string {
		hasRandom = true
		if m == "${uuid}" {
			b := r.bytes(16)
			b[6] = b[6]&0x0f | 0x40 // version 4
			b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
			h := hex.EncodeToString(b)
			return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
		}
		sub := randomExpr.FindStringSubmatch(m)
		n, err := strconv.Atoi(sub[2])
		if err != nil || n > 256 {
			n = 256 // no name is longer; a larger count only wastes work
		}
		var chars string
		switch sub[1] {
		case "hex":
			chars = "0123456789abcdef"
		case "alphanum":
			chars = "abcdefghijklmnopqrstuvwxyz0123456789"
		case "string":
			chars = "abcdefghijklmnopqrstuvwxyz"
		case "num":
			chars = "0123456789"
		}
		b := make([]byte, n)
		for i := range b {
			b[i] = chars[int(r.bytes(1)[0])%len(chars)]
		}
		return string(b)
	})
	return out, hasRandom
}

// Seed is the random seed of one resource's name: the same parts always
// give the same seed.
func Seed(parts ...string) []byte {
	h := sha256.New()
	for _, p := range parts {
		// Length-prefixed, so that ("ab","c") and ("a","bc") differ.
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(p)))
		h.Write(n[:])
		h.Write([]byte(p))
	}
	return h.Sum(nil)
}

// stream is SHA-256 in counter mode over seed: deterministic bytes.
type stream struct {
	seed []byte
	ctr  uint64
	buf  []byte
}

func newStream(seed []byte) *stream { return &stream{seed: seed} }

func (s *stream) bytes(n int) []byte {
	for len(s.buf) < n {
		var c [8]byte
		binary.BigEndian.PutUint64(c[:], s.ctr)
		s.ctr++
		sum := sha256.Sum256(append(append([]byte{}, s.seed...), c[:]...))
		s.buf = append(s.buf, sum[:]...)
	}
	out := s.buf[:n]
	s.buf = s.buf[n:]
	return out
}
