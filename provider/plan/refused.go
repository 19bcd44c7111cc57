package plan

import (
	"fmt"
	"sort"
	"strings"

	presource "github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/DefangLabs/pulumi-defang/provider/cloudrules"
	"github.com/DefangLabs/pulumi-defang/provider/compose"
)

// Refusal is one resource input the cloud would refuse, with the compose
// service the resource belongs to ("" for a resource the services share:
// the network, the load balancer, the cluster).
type Refusal struct {
	Service   string
	Violation cloudrules.Violation
}

func (r Refusal) String() string {
	who := "shared resources"
	if r.Service != "" {
		who = fmt.Sprintf("service %q", r.Service)
	}
	return fmt.Sprintf("%s: %s %q: %s", who, r.Violation.Type, r.Violation.Name, r.Violation.Message)
}

// Refused is every input of a plan that the cloud would refuse; as an
// error it lists them all, one per line, each naming the compose service,
// the resource and the limit in the real provider's or API's words.
type Refused []Refusal

func (rs Refused) Error() string {
	lines := make([]string, len(rs))
	for i, r := range rs {
		lines[i] = r.String()
	}
	return fmt.Sprintf("the cloud would refuse %d input(s) of this plan:\n  %s", len(rs), strings.Join(lines, "\n  "))
}

// violationAt is a violation of the resource urn.
type violationAt struct {
	urn string
	v   cloudrules.Violation
}

// PerServiceComponents are the component types that belong to one compose
// service, on either cloud: their descendants are that service's (the
// refusals here and the estimate's line items are attributed by them).
var PerServiceComponents = map[string]bool{
	"defang:aws:FargateService": true, "defang:aws:ManagedPostgres": true, "defang:aws:ManagedRedis": true,
	"defang:aws:ManagedMongo": true, "defang:aws:LlmGateway": true, "defang:aws:GpuCapacity": true,
	"defang:azure:ContainerApp": true, "defang:azure:ManagedPostgres": true, "defang:azure:ManagedRedis": true,
	"defang:azure:LlmGateway": true,
}

// refused is the monitor's violations with their services, sorted, or nil.
func (m *monitor) refused() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.violations) == 0 {
		return nil
	}
	project := ""
	for _, r := range m.byURN {
		if r.Type == "defang:index:Project" {
			project = r.Name
		}
	}
	var services []string
	for _, r := range m.byURN {
		if PerServiceComponents[r.Type] {
			services = append(services, strings.TrimPrefix(r.Name, project+"-"))
		}
	}
	out := make(Refused, 0, len(m.violations))
	for _, va := range m.violations {
		out = append(out, Refusal{Service: m.serviceOf(va.urn, project, services), Violation: va.v})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Service != out[j].Service {
			return out[i].Service < out[j].Service
		}
		return out[i].Violation.Name < out[j].Violation.Name
	})
	return out
}

// serviceOf is the compose service a resource belongs to: that of the
// nearest per-service component among its ancestors (the component's name
// without the project prefix), or else, for a shared component's
// per-service child (the load balancer's target group
// <project>-<service>-<port>), the longest service its name starts with.
// "" for a resource the services share. The caller holds m.mu.
func (m *monitor) serviceOf(urn, project string, services []string) string {
	self, ok := m.byURN[urn]
	if !ok {
		return ""
	}
	for cur, hops := self, 0; hops < 20; hops++ {
		if PerServiceComponents[cur.Type] {
			return strings.TrimPrefix(cur.Name, project+"-")
		}
		if cur.Parent == "" || presource.URN(cur.Parent).QualifiedType() == presource.RootStackType {
			break
		}
		if cur, ok = m.byURN[cur.Parent]; !ok {
			break
		}
	}
	// Component names are DNS labels (todo_list's FargateService is
	// <project>-todo-list) while a shared component's children may keep
	// the compose name (<project>-todo_list-3000): compare the labels.
	best, label := "", compose.DNSLabel(self.Name)
	for _, s := range services {
		prefix := project + "-" + s
		if (label == prefix || strings.HasPrefix(label, prefix+"-")) && len(s) > len(best) {
			best = s
		}
	}
	return best
}

// withComposeNames names each refusal's service as the compose file does
// (todo_list), where the components named it by its DNS label (todo-list).
func (rs Refused) withComposeNames(p *compose.Project) Refused {
	byLabel := map[string]string{}
	for _, s := range p.Services {
		byLabel[compose.DNSLabel(s.Name)] = s.Name
	}
	for i := range rs {
		if name, ok := byLabel[rs[i].Service]; ok {
			rs[i].Service = name
		}
	}
	return rs
}
