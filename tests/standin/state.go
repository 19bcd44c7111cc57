package standin

import (
	"encoding/json"
	"os"
	"sort"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/DefangLabs/pulumi-defang/provider/propjson"
)

// Markers written in place of secrets and unknowns in the record file.
const (
	SecretMarker  = propjson.SecretMarker
	UnknownMarker = propjson.UnknownMarker
)

// Call is one RPC the engine made to a stand-in.
type Call struct {
	// Method is "CheckConfig", "DiffConfig", "Configure", "Check", "Diff",
	// "Create", "Update", "Delete", "Read" or "Invoke".
	Method string
	URN    string
	Type   string
	ID     string
	Token  string // the function token of an Invoke
	// Inputs are the inputs the call carried (Check, Diff, Update: the new
	// inputs; Create: the properties; Delete: the old inputs, else the
	// state; Read: the state; Configure: the provider's arguments; Invoke:
	// the arguments). Secrets stay secret values, unknowns computed values.
	Inputs  resource.PropertyMap
	Preview bool
	// Outputs are what Create, Update, Read and Invoke answered.
	Outputs resource.PropertyMap
	// Error is the error the call answered with, "" when it succeeded.
	Error string
}

// Resource is one resource a stand-in holds: created and not deleted since.
type Resource struct {
	URN     string
	Type    string
	ID      string
	Inputs  resource.PropertyMap
	Outputs resource.PropertyMap
}

// tables are a stand-in's recorded calls, live resources and failure rules.
type tables struct {
	mu       sync.Mutex
	calls    []Call
	live     map[string]Resource // by URN
	failures map[string]string   // URN suffix -> message
	record   *os.File            // optional JSON-lines copy of calls
}

func newTables() *tables {
	return &tables{live: map[string]Resource{}, failures: map[string]string{}}
}

func (t *tables) add(c Call) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.calls = append(t.calls, c)
	if t.record != nil {
		line, err := json.Marshal(recordLine(c))
		if err == nil {
			_, _ = t.record.Write(append(line, '\n'))
		}
	}
}

// failure is the message a Create or Update of urn fails with, "" if none.
// The longest matching suffix wins, so that rules do not depend on map order.
func (t *tables) failure(urn string) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	best, msg := -1, ""
	for suffix, m := range t.failures {
		if strings.HasSuffix(urn, suffix) && len(suffix) > best {
			best, msg = len(suffix), m
		}
	}
	return msg
}

func (t *tables) put(r Resource) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.live[r.URN] = r
}

func (t *tables) get(urn string) (Resource, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	r, ok := t.live[urn]
	return r, ok
}

// Calls returns every call recorded so far, in order.
func (s *Server) Calls() []Call {
	s.t.mu.Lock()
	defer s.t.mu.Unlock()
	out := make([]Call, len(s.t.calls))
	for i, c := range s.t.calls {
		c.Inputs, c.Outputs = clone(c.Inputs), clone(c.Outputs)
		out[i] = c
	}
	return out
}

// Resources returns the resources the stand-in holds (created, not yet
// deleted), sorted by URN.
func (s *Server) Resources() []Resource {
	s.t.mu.Lock()
	defer s.t.mu.Unlock()
	out := make([]Resource, 0, len(s.t.live))
	for _, r := range s.t.live {
		r.Inputs, r.Outputs = clone(r.Inputs), clone(r.Outputs)
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].URN < out[j].URN })
	return out
}

// FailOn makes every following Create or Update (not previews) of a
// resource whose URN ends with urnSuffix fail with message. An empty message
// removes the rule for urnSuffix.
func (s *Server) FailOn(urnSuffix string, message string) {
	s.t.mu.Lock()
	defer s.t.mu.Unlock()
	if message == "" {
		delete(s.t.failures, urnSuffix)
		return
	}
	s.t.failures[urnSuffix] = message
}

// clone is a shallow copy of m that keeps nil as nil.
func clone(m resource.PropertyMap) resource.PropertyMap {
	if m == nil {
		return nil
	}
	return m.Copy()
}

// recordLine is a call as one JSON object, secrets and unknowns masked.
func recordLine(c Call) map[string]any {
	line := map[string]any{"method": c.Method}
	for k, v := range map[string]string{"urn": c.URN, "type": c.Type, "id": c.ID, "token": c.Token, "error": c.Error} {
		if v != "" {
			line[k] = v
		}
	}
	if c.Preview {
		line["preview"] = true
	}
	if c.Inputs != nil {
		line["inputs"] = PlainMap(c.Inputs)
	}
	if c.Outputs != nil {
		line["outputs"] = PlainMap(c.Outputs)
	}
	return line
}

// PlainMap turns a property map into JSON values: secrets become
// "[secret]" (never their plaintext), unknowns "[unknown]".
func PlainMap(m resource.PropertyMap) map[string]any {
	return propjson.Map(resource.FromResourcePropertyMap(m))
}
