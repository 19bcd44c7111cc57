package azure

import (
	"fmt"
	"math"
	"sort"
	"strconv"

	apps "github.com/pulumi/pulumi-azure-native-sdk/app/v2/v20240301"
	"github.com/pulumi/pulumi-go-provider/infer"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/DefangLabs/pulumi-defang/provider/internal/outputs"
	"github.com/DefangLabs/pulumi-defang/provider/mode"
	"github.com/DefangLabs/pulumi-defang/provider/spec"
)

// The container shape is shared by both clouds (provider/spec).
type (
	ContainerSpec        = spec.Container
	ContainerPort        = spec.Port
	ContainerHealthcheck = spec.Healthcheck
)

// ContainerAppArgs are the inputs of defang:azure:ContainerApp.
type ContainerAppArgs struct {
	ProjectName string        `pulumi:"projectName"`
	ServiceName string        `pulumi:"serviceName"`
	Mode        string        `pulumi:"mode,optional"`
	Container   ContainerSpec `pulumi:"container"`
	// AppName overrides the Container App name (default: the service name).
	AppName     string `pulumi:"appName,optional"`
	Autoscaling bool   `pulumi:"autoscaling,optional"`

	Image             pulumi.StringInput `pulumi:"image"`
	EnvironmentId     pulumi.StringInput `pulumi:"environmentId"`
	ResourceGroupName pulumi.StringInput `pulumi:"resourceGroupName"`
	Location          string             `pulumi:"location,optional"`
	// IdentityId is the user-assigned identity the app reads its Key Vault
	// secrets and pulls its image with.
	IdentityId     pulumi.StringInput    `pulumi:"identityId,optional"`
	RegistryServer pulumi.StringInput    `pulumi:"registryServer,optional"`
	Secrets        pulumi.StringMapInput `pulumi:"secrets,optional"`

	// After holds the resources this app starts after (compose
	// depends_on). Go callers only: not part of the schema.
	After []pulumi.Resource
	// ResolvedEnvironment holds environment values known only at deploy
	// time (e.g. a managed store's endpoint); they override
	// Container.Environment. Go callers only.
	ResolvedEnvironment pulumi.StringMapInput

	// Custom domains with managed certificates (custom_domains.go).
	CustomDomains              []string           `pulumi:"customDomains,optional"`
	EnvironmentDefaultDomain   pulumi.StringInput `pulumi:"environmentDefaultDomain,optional"`
	EnvironmentStaticIp        pulumi.StringInput `pulumi:"environmentStaticIp,optional"`
	CustomDomainVerificationId pulumi.StringInput `pulumi:"customDomainVerificationId,optional"`
	DnsZoneName                string             `pulumi:"dnsZoneName,optional"`
	DnsZoneResourceGroupName   pulumi.StringInput `pulumi:"dnsZoneResourceGroupName,optional"`
}

func (a *ContainerAppArgs) Annotate(an infer.Annotator) {
	an.Describe(&a.ProjectName, "The project name.")
	an.Describe(&a.ServiceName, "The compose service name.")
	an.Describe(&a.Mode, "Deployment mode: minimum replicas (0 for idle HTTP apps in affordable, 1 in balanced, 2 in high_availability) and the autoscaling bound follow it.")
	an.Describe(&a.Container, "What the compose service asks of its container.")
	an.Describe(&a.AppName, "The Container App name, which is also the host name the environment's other apps reach it by (default: the service name; lowercase letters, digits and single hyphens, starting with a letter, shortened with a hash past 32 characters). Container App names are unique per resource group: set it when several projects share an adopted group.")
	an.Describe(&a.Autoscaling, "x-defang-autoscaling: scale from the minimum replicas up to 2× (affordable), 4× (balanced) or 10× (high_availability) the replica count on CPU (70%, 60%, 50%) and, for HTTP apps, concurrent requests.")
	an.Describe(&a.Image, "The image, by digest when it was built in the cloud.")
	an.Describe(&a.EnvironmentId, "The Container Apps environment (an AppsEnvironment's environmentId).")
	an.Describe(&a.ResourceGroupName, "The resource group.")
	an.Describe(&a.Location, "The Azure location (default: the resource group's).")
	an.Describe(&a.IdentityId, "The user-assigned identity (an AppsEnvironment's identityId) through which the app reads its Key Vault secrets and pulls from registryServer. Required with secrets or registryServer.")
	an.Describe(&a.RegistryServer, "The login server of a private registry to pull the image from with identityId (which needs AcrPull on it).")
	an.Describe(&a.Secrets, "Environment variable name to the URI of the Key Vault secret that holds its value. The app references the secret through identityId; the value never appears in the app's definition.")
	an.Describe(&a.CustomDomains, "Host names (e.g. compose domainname) served on the app's main HTTP ingress, each with an Azure managed certificate. The app needs an external HTTP ingress port. Azure checks the host's DNS records when the host is added: a subdomain needs CNAME <host> → <appName>.<environmentDefaultDomain>, an apex domain (the zone apex, or outside dnsZoneName a name of two labels) A <host> → environmentStaticIp, and both TXT asuid.<host> → customDomainVerificationId. Inside dnsZoneName these records are created (and the app waits for them); otherwise create them by hand (see dnsRecords) before the update that adds the host. Container Apps cannot bind a certificate in the update that registers its hostname: each update looks the certificate up, the host is registered without a certificate (bindingType Disabled) until Azure has issued it, and HTTPS on it starts with the first update after issuance (usually the second).")
	an.Describe(&a.EnvironmentDefaultDomain, "The environment's default domain (an AppsEnvironment's defaultDomain), the CNAME target's suffix. Required with customDomains.")
	an.Describe(&a.EnvironmentStaticIp, "The environment's static IP (an AppsEnvironment's staticIp), the A record of apex domains. Required with an apex domain in customDomains.")
	an.Describe(&a.CustomDomainVerificationId, "The environment's custom domain verification id (an AppsEnvironment's customDomainVerificationId), the value of the asuid TXT records. Required with customDomains.")
	an.Describe(&a.DnsZoneName, "An Azure DNS zone you own (e.g. example.com). The records of customDomains inside it (its apex or names under it) are created there when dnsZoneResourceGroupName is set; the others are listed in dnsRecords.")
	an.Describe(&a.DnsZoneResourceGroupName, "The resource group of dnsZoneName. Without it nothing is written to the zone and every record is listed in dnsRecords.")
}

// ContainerApp is defang:azure:ContainerApp: one compose service on Azure
// Container Apps.
type ContainerApp struct {
	pulumi.ResourceState

	AppName            pulumi.StringOutput `pulumi:"appName"`
	ContainerAppId     pulumi.StringOutput `pulumi:"containerAppId"`
	Fqdn               pulumi.StringOutput `pulumi:"fqdn"`
	Url                pulumi.StringOutput `pulumi:"url"`
	PrivateHostname    pulumi.StringOutput `pulumi:"privateHostname"`
	LatestRevisionName pulumi.StringOutput `pulumi:"latestRevisionName"`
	PrincipalId        pulumi.StringOutput `pulumi:"principalId"`
	// DnsRecords are the records of customDomains to create by hand.
	DnsRecords spec.DnsRecordArrayOutput `pulumi:"dnsRecords"`

	app *apps.ContainerApp
}

// App is the Container App that compose dependents start after.
func (c *ContainerApp) App() pulumi.Resource { return c.app }

func (c *ContainerApp) Annotate(a infer.Annotator) {
	a.SetToken("azure", "ContainerApp")
	a.Describe(&c, "One compose service on Azure Container Apps, in a shared environment: sized from the consumption table, external ingress for ingress ports and internal ingress for host ports, replicas and scale rules per mode, probes from the healthcheck, and Key Vault secret references through a user-assigned identity. The app also has a system-assigned identity of its own, with no permissions until you grant some.")
	a.Describe(&c.AppName, "The Container App name. The environment's apps reach its TCP ports (host ports, additional ports, tcp ingress) at <appName>:<port>, an internal HTTP app on port 80 at http://<appName>, and an external HTTP app at https://<fqdn>.")
	a.Describe(&c.ContainerAppId, "The Container App id.")
	a.Describe(&c.Fqdn, "The ingress FQDN (<app>.<domain> when external, <app>.internal.<domain> when internal); empty without ports.")
	a.Describe(&c.Url, "The public URL: https://<fqdn> for HTTP ingress, tcp://<fqdn>:<port> for TCP ingress; empty for internal apps.")
	a.Describe(&c.PrivateHostname, "The host name the environment's apps use; empty without ports.")
	a.Describe(&c.LatestRevisionName, "The latest revision.")
	a.Describe(&c.PrincipalId, "The principal id of the app's system-assigned identity.")
	a.Describe(&c.DnsRecords, "DNS records of customDomains to create by hand (hosts outside dnsZoneName, or all without dnsZoneResourceGroupName): CNAME <host> → the app's FQDN (A <host> → the static IP for an apex domain) and TXT asuid.<host> → the verification id, which must exist before the update that adds the host, and for an apex domain TXT _dnsauth.<host> → its managed certificate's validation token. Empty when there are none.")
}

// NewContainerApp creates one compose service on Container Apps.
func NewContainerApp(ctx *pulumi.Context, name string, args ContainerAppArgs, opts ...pulumi.ResourceOption) (*ContainerApp, error) {
	comp := &ContainerApp{}
	if err := ctx.RegisterComponentResource("defang:azure:ContainerApp", name, comp, opts...); err != nil {
		return nil, err
	}
	m, err := mode.Parse(args.Mode)
	if err != nil {
		return nil, err
	}
	plan, err := planContainerApp(args, m)
	if err != nil {
		return nil, err
	}
	domainsPlan, err := planCustomDomains(args, plan.ingress, plan.appName)
	if err != nil {
		return nil, err
	}
	if args.Secrets != nil && args.IdentityId == nil {
		return nil, fmt.Errorf("service %q: secrets: Key Vault references need identityId", args.ServiceName)
	}
	for _, w := range plan.warnings {
		_ = ctx.Log.Warn(w, &pulumi.LogArgs{Resource: comp})
	}
	spec := args.Container
	service := args.ServiceName

	secrets := pulumi.StringMap{}.ToStringMapOutput()
	if args.Secrets != nil {
		secrets = args.Secrets.ToStringMapOutput()
	}
	resolved := pulumi.StringMap{}.ToStringMapOutput()
	if args.ResolvedEnvironment != nil {
		resolved = args.ResolvedEnvironment.ToStringMapOutput()
	}
	var identityID pulumi.StringOutput
	if args.IdentityId != nil {
		identityID = args.IdentityId.ToStringOutput()
	} else {
		identityID = pulumi.String("").ToStringOutput()
	}

	// Secret references: one app secret per variable, read from Key Vault
	// with the user-assigned identity; the variable names the app secret.
	appSecrets := pulumi.All(secrets, identityID).ApplyT(func(v []any) ([]apps.Secret, error) {
		refs, identity := v[0].(map[string]string), v[1].(string)
		if len(refs) > 0 && identity == "" {
			return nil, fmt.Errorf("service %q: secrets: Key Vault references need identityId", service)
		}
		out := []apps.Secret{}
		for _, k := range appSortedKeys(refs) {
			name, url, id := appSecretName(k), refs[k], identity
			out = append(out, apps.Secret{Name: &name, KeyVaultUrl: &url, Identity: &id})
		}
		return out, nil
	}).(apps.SecretArrayOutput)
	env := pulumi.All(secrets, resolved).ApplyT(func(v []any) []apps.EnvironmentVar {
		return environmentVars(spec.Environment, v[1].(map[string]string), v[0].(map[string]string))
	}).(apps.EnvironmentVarArrayOutput)

	config := &apps.ConfigurationArgs{
		ActiveRevisionsMode: pulumi.String("Single"),
		Secrets:             appSecrets,
	}
	domains, err := newCustomDomains(ctx, name, args, domainsPlan, plan.appName, comp)
	if err != nil {
		return nil, err
	}
	if plan.ingress != nil {
		ingress := plan.ingress.args()
		if len(domainsPlan.hosts) > 0 {
			ingress.CustomDomains = domains.bindings
		}
		config.Ingress = ingress
	}
	if args.RegistryServer != nil {
		if args.IdentityId == nil {
			return nil, fmt.Errorf("service %q: registryServer: pulling from a private registry needs identityId", service)
		}
		config.Registries = apps.RegistryCredentialsArray{&apps.RegistryCredentialsArgs{
			Server: args.RegistryServer, Identity: args.IdentityId,
		}}
	}

	identity := &apps.ManagedServiceIdentityArgs{Type: pulumi.String("SystemAssigned")}
	if args.IdentityId != nil {
		identity = &apps.ManagedServiceIdentityArgs{
			Type:                   pulumi.String("SystemAssigned,UserAssigned"),
			UserAssignedIdentities: pulumi.StringArray{args.IdentityId},
		}
	}

	container := &apps.ContainerArgs{
		Name:    pulumi.String(plan.containerName),
		Image:   args.Image,
		Command: appStringArray(spec.Entrypoint),
		Args:    appStringArray(spec.Command),
		Env:     env,
		Resources: &apps.ContainerResourcesArgs{
			Cpu:    pulumi.Float64(plan.size.CPU),
			Memory: pulumi.String(plan.size.memory()),
		},
	}
	if len(plan.probes) > 0 {
		container.Probes = plan.probes
	}
	scale := &apps.ScaleArgs{MinReplicas: pulumi.Int(plan.minReplicas), MaxReplicas: pulumi.Int(plan.maxReplicas)}
	if len(plan.rules) > 0 {
		scale.Rules = plan.rules
	}
	template := &apps.TemplateArgs{Containers: apps.ContainerArray{container}, Scale: scale}
	if spec.StopGracePeriodSeconds > 0 {
		template.TerminationGracePeriodSeconds = pulumi.Float64(float64(appClamp(spec.StopGracePeriodSeconds, 0, 600)))
	}
	appArgs := &apps.ContainerAppArgs{
		ResourceGroupName:   args.ResourceGroupName,
		ContainerAppName:    pulumi.String(plan.appName),
		EnvironmentId:       args.EnvironmentId,
		WorkloadProfileName: pulumi.String(consumptionProfile),
		Identity:            identity,
		Configuration:       config,
		Template:            template,
	}
	if args.Location != "" {
		appArgs.Location = pulumi.String(args.Location)
	}
	// Azure checks a custom domain's records when the host is added.
	after := append(append([]pulumi.Resource(nil), args.After...), domains.dependsOn...)
	app, err := apps.NewContainerApp(ctx, name, appArgs, pulumi.Parent(comp), pulumi.DependsOn(after))
	if err != nil {
		return nil, err
	}
	dnsRecords, err := domains.certificates(ctx, app)
	if err != nil {
		return nil, err
	}

	fqdn := app.Configuration.Ingress().Fqdn().ApplyT(func(f *string) string {
		if f == nil {
			return ""
		}
		return *f
	}).(pulumi.StringOutput)
	comp.app = app
	comp.AppName = app.Name
	comp.ContainerAppId = app.ID().ToStringOutput()
	comp.Fqdn = fqdn
	comp.Url = fqdn.ApplyT(plan.url).(pulumi.StringOutput)
	comp.PrivateHostname = pulumi.String("").ToStringOutput()
	if plan.ingress != nil {
		comp.PrivateHostname = app.Name
	}
	comp.LatestRevisionName = app.LatestRevisionName
	comp.DnsRecords = dnsRecords
	comp.PrincipalId = app.Identity.PrincipalId().ApplyT(func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}).(pulumi.StringOutput)
	return comp, outputs.Register(ctx, comp)
}

// appPlan is everything about a Container App that follows from its plain
// inputs, computed (and checked) before any resource is registered.
type appPlan struct {
	appName, containerName   string
	size                     appSize
	ingress                  *ingressPlan
	minReplicas, maxReplicas int
	rules                    apps.ScaleRuleArray
	probes                   apps.ContainerAppProbeArray
	warnings                 []string
}

func planContainerApp(args ContainerAppArgs, m mode.Mode) (*appPlan, error) {
	spec := args.Container
	service := args.ServiceName
	fail := func(field string, err error) (*appPlan, error) {
		return nil, fmt.Errorf("service %q: %s: %w", service, field, err)
	}
	if service == "" {
		return nil, fmt.Errorf("serviceName is required")
	}
	if spec.Gpus < 0 {
		return fail("deploy.resources", fmt.Errorf("negative GPU count %d", spec.Gpus))
	}
	if spec.Gpus > 0 {
		return fail("deploy.resources.reservations.devices",
			fmt.Errorf("%d GPUs requested: Container Apps on the Consumption workload profile have no GPUs", spec.Gpus))
	}
	// "Azure Container Apps supports any Linux-based x86-64 (linux/amd64)
	// container image" and no other (https://learn.microsoft.com/azure/container-apps/containers).
	if spec.Platform != "" && spec.Platform != "linux/amd64" {
		return fail("platform", fmt.Errorf("Container Apps run linux/amd64 images only, not %s", spec.Platform))
	}
	size, err := containerAppSize(spec.Cpus, spec.MemoryMiB)
	if err != nil {
		return fail("deploy.resources", err)
	}
	ingress, err := planIngress(spec.Ports)
	if err != nil {
		return nil, fmt.Errorf("service %q: %w", service, err)
	}
	appName := args.AppName
	if appName == "" {
		appName = service
	}
	p := &appPlan{
		appName:       containerAppName(appName),
		containerName: containerAppName(service),
		size:          size, ingress: ingress,
	}
	if spec.WorkingDir != "" {
		p.warnings = append(p.warnings, fmt.Sprintf("service %q: working_dir %s is ignored: Container Apps cannot set a container's working directory", service, spec.WorkingDir))
	}
	if spec.User != "" {
		p.warnings = append(p.warnings, fmt.Sprintf("service %q: user %s is ignored: Container Apps cannot set a container's user", service, spec.User))
	}
	if spec.Healthcheck != nil && spec.Healthcheck.HttpPath == "" && len(spec.Ports) == 0 && len(spec.Healthcheck.Test) > 0 {
		p.warnings = append(p.warnings, fmt.Sprintf("service %q: healthcheck is not used: Container Apps probe over HTTP or TCP only, and the service has no port", service))
	}
	if err := p.scale(spec.Replicas, args.Autoscaling, m); err != nil {
		return fail("deploy.replicas", err)
	}
	p.probes = probes(spec.Healthcheck, spec.Ports)
	return p, nil
}

// Container Apps scale limits.
const (
	maxAppReplicas = 1000
	// httpScaleConcurrency is the concurrent requests per replica at which
	// the HTTP scale rule adds a replica (the Container Apps default).
	httpScaleConcurrency = 10
)

// autoscalingCPUTarget is the average CPU utilisation (percent) that
// x-defang-autoscaling tracks, as on AWS: dense in affordable, headroom for
// a zone loss in high_availability.
func autoscalingCPUTarget(m mode.Mode) int {
	switch m {
	case mode.HighAvailability:
		return 50
	case mode.Balanced:
		return 60
	}
	return 70
}

// scale sets the replica bounds and scale rules.
//
//   - min = max(replicas, the mode's minimum). In affordable (minimum 0) an
//     app with one replica whose main ingress is HTTP scales to zero when
//     idle: the HTTP scale rule wakes it on the next request (a cold start
//     of seconds). Apps without HTTP ingress keep one replica, since nothing
//     would wake them. replicas: 0 is honoured (the app runs no replica).
//   - max = min, or with autoscaling max(replicas, 1) × the mode's factor
//     (2, 4, 10), never below min, at most 1000.
//   - rules: with autoscaling, a CPU rule at the mode's target; for HTTP
//     apps that autoscale or scale to zero, an HTTP rule (10 concurrent
//     requests per replica).
func (p *appPlan) scale(replicasIn *int, autoscaling bool, m mode.Mode) error {
	s := settingsFor(m)
	replicas := 1
	if replicasIn != nil {
		replicas = *replicasIn
	}
	if replicas < 0 {
		return fmt.Errorf("negative replica count %d", replicas)
	}
	if replicas > maxAppReplicas {
		return fmt.Errorf("%d replicas exceed the Container Apps limit of %d", replicas, maxAppReplicas)
	}
	httpMain := p.ingress != nil && p.ingress.isHTTP()
	p.minReplicas = max(replicas, s.MinReplicas)
	if s.MinReplicas == 0 && replicas == 1 && httpMain {
		p.minReplicas = 0
	}
	p.maxReplicas = max(p.minReplicas, 1)
	if autoscaling {
		p.maxReplicas = min(max(max(replicas, 1)*s.MaxReplicaFactor, p.minReplicas, 1), maxAppReplicas)
	}
	if httpMain && (autoscaling || p.minReplicas == 0) {
		p.rules = append(p.rules, &apps.ScaleRuleArgs{
			Name: pulumi.String("http"),
			Http: &apps.HttpScaleRuleArgs{Metadata: pulumi.StringMap{
				"concurrentRequests": pulumi.String(strconv.Itoa(httpScaleConcurrency)),
			}},
		})
	}
	if autoscaling {
		p.rules = append(p.rules, &apps.ScaleRuleArgs{
			Name: pulumi.String("cpu"),
			Custom: &apps.CustomScaleRuleArgs{
				Type: pulumi.String("cpu"),
				Metadata: pulumi.StringMap{
					"type":  pulumi.String("Utilization"),
					"value": pulumi.String(strconv.Itoa(autoscalingCPUTarget(m))),
				},
			},
		})
	}
	return nil
}

// url is the public URL of an app with the given ingress FQDN.
func (p *appPlan) url(fqdn string) string {
	if fqdn == "" || p.ingress == nil || !p.ingress.external {
		return ""
	}
	if p.ingress.transport == "tcp" {
		return fmt.Sprintf("tcp://%s:%d", fqdn, p.ingress.exposedPort)
	}
	return "https://" + fqdn
}

// appSize is one Container Apps consumption size: vCPU and memory in GiB,
// always in the ratio 1:2.
type appSize struct {
	CPU       float64
	MemoryGiB float64
}

func (s appSize) memory() string { return strconv.FormatFloat(s.MemoryGiB, 'f', -1, 64) + "Gi" }

// The consumption sizes: 0.25 vCPU/0.5 GiB steps up to 4 vCPU/8 GiB on the
// Consumption workload profile.
const (
	appCPUStep  = 0.25
	appMaxSteps = 16
)

// containerAppSize picks the smallest consumption size that holds cpus and
// memoryMiB (0 means unset: the smallest).
func containerAppSize(cpus float64, memoryMiB int) (appSize, error) {
	if cpus < 0 || memoryMiB < 0 {
		return appSize{}, fmt.Errorf("negative resources (cpus %v, memory %d MiB)", cpus, memoryMiB)
	}
	// Each step is 0.25 vCPU and 512 MiB.
	steps := max(1, int(math.Ceil(cpus/appCPUStep-1e-9)), int(math.Ceil(float64(memoryMiB)/512)))
	if steps > appMaxSteps {
		return appSize{}, fmt.Errorf("%g vCPU and %d MiB exceed the largest Container Apps consumption size (4 vCPU, 8 GiB)", cpus, memoryMiB)
	}
	return appSize{CPU: float64(steps) * appCPUStep, MemoryGiB: float64(steps) * appCPUStep * 2}, nil
}

// ingressPlan is a Container App's ingress. Container Apps route one main
// port per app (HTTP with TLS termination, or TCP); further ports are
// additional TCP port mappings, each external or internal.
type ingressPlan struct {
	targetPort    int
	external      bool
	transport     string // http, http2 or tcp
	exposedPort   int    // tcp only
	allowInsecure bool
	additional    []portMapping
}

type portMapping struct {
	targetPort, exposedPort int
	external                bool
}

func (i *ingressPlan) isHTTP() bool { return i.transport != "tcp" }

func (i *ingressPlan) args() *apps.IngressArgs {
	in := &apps.IngressArgs{
		External:      pulumi.Bool(i.external),
		TargetPort:    pulumi.Int(i.targetPort),
		Transport:     pulumi.String(i.transport),
		AllowInsecure: pulumi.Bool(i.allowInsecure),
		Traffic: apps.TrafficWeightArray{&apps.TrafficWeightArgs{
			LatestRevision: pulumi.Bool(true), Weight: pulumi.Int(100),
		}},
	}
	if i.exposedPort != 0 {
		in.ExposedPort = pulumi.Int(i.exposedPort)
	}
	if len(i.additional) > 0 {
		mappings := apps.IngressPortMappingArray{}
		for _, m := range i.additional {
			mappings = append(mappings, &apps.IngressPortMappingArgs{
				TargetPort: pulumi.Int(m.targetPort), ExposedPort: pulumi.Int(m.exposedPort), External: pulumi.Bool(m.external),
			})
		}
		in.AdditionalPortMappings = mappings
	}
	return in
}

// planIngress maps compose ports to Container Apps ingress:
//
//   - the main port is the first ingress port served over HTTP, else the
//     first ingress port, else the first host port;
//   - an ingress port is external, a host port internal (the environment's
//     apps only);
//   - an external HTTP port is served on 443 (and 80, redirected to HTTPS)
//     at https://<app>.<domain>, over HTTP/2 for http2 and grpc;
//   - an external tcp port, and every other port, is TCP with the exposed
//     port equal to the container port, so <app>:<port> works as in
//     compose. An internal main port is TCP too, except 80 and 443, which
//     TCP ingress cannot expose: those are plain HTTP on port 80;
//   - additional ports cannot be 80 or 443, and an external one must be
//     unique in the environment (checked by Azure).
func planIngress(ports []ContainerPort) (*ingressPlan, error) {
	if len(ports) == 0 {
		return nil, nil
	}
	seen := map[int]bool{}
	main := -1
	for i, p := range ports {
		if p.Port < 1 || p.Port > 65535 {
			return nil, fmt.Errorf("ports[%d]: %d is not a port (1-65535)", i, p.Port)
		}
		if p.Protocol != "" && p.Protocol != "tcp" {
			return nil, fmt.Errorf("ports[%d]: %s port %d: Container Apps ingress carries TCP only", i, p.Protocol, p.Port)
		}
		switch p.Mode {
		case "", "ingress", "host":
		default:
			return nil, fmt.Errorf("ports[%d]: mode %q: use ingress or host", i, p.Mode)
		}
		switch p.AppProtocol {
		case "", "http", "http2", "grpc", "tcp":
		default:
			return nil, fmt.Errorf("ports[%d]: app_protocol %q: use http, http2, grpc or tcp", i, p.AppProtocol)
		}
		if seen[p.Port] {
			return nil, fmt.Errorf("ports[%d]: port %d is declared twice", i, p.Port)
		}
		seen[p.Port] = true
	}
	rank := func(p ContainerPort) int {
		switch {
		case isIngress(p) && p.AppProtocol != "tcp":
			return 0
		case isIngress(p):
			return 1
		}
		return 2
	}
	for i, p := range ports {
		if main < 0 || rank(p) < rank(ports[main]) {
			main = i
		}
	}
	mp := ports[main]
	plan := &ingressPlan{targetPort: mp.Port, external: isIngress(mp)}
	webPort := mp.Port == 80 || mp.Port == 443
	switch {
	case plan.external && mp.AppProtocol == "tcp":
		if webPort {
			return nil, fmt.Errorf("port %d: Container Apps cannot expose TCP ingress on 80 or 443: serve it as http, or use another port", mp.Port)
		}
		plan.transport, plan.exposedPort = "tcp", mp.Port
	case plan.external:
		plan.transport = httpTransport(mp.AppProtocol)
	case webPort:
		// Internal, on the web ports: plain HTTP inside the environment.
		plan.transport, plan.allowInsecure = httpTransport(mp.AppProtocol), true
	default:
		plan.transport, plan.exposedPort = "tcp", mp.Port
	}
	for i, p := range ports {
		if i == main {
			continue
		}
		if p.Port == 80 || p.Port == 443 {
			return nil, fmt.Errorf("port %d: Container Apps serve one HTTP port per app (here %d); other ports are TCP and cannot be 80 or 443", p.Port, mp.Port)
		}
		plan.additional = append(plan.additional, portMapping{targetPort: p.Port, exposedPort: p.Port, external: isIngress(p)})
	}
	return plan, nil
}

func isIngress(p ContainerPort) bool { return p.Mode == "" || p.Mode == "ingress" }

func httpTransport(appProtocol string) string {
	if appProtocol == "http2" || appProtocol == "grpc" {
		return "http2"
	}
	return "http"
}

// probes turns a compose healthcheck into a liveness and a readiness probe:
// an HTTP GET when the test fetches a local URL, else a TCP connection to
// the first port. Container Apps cannot run a command as a probe, so a
// healthcheck of a service without ports gives none.
func probes(hc *ContainerHealthcheck, ports []ContainerPort) apps.ContainerAppProbeArray {
	if hc == nil {
		return nil
	}
	var httpGet *apps.ContainerAppProbeHttpGetArgs
	var tcp *apps.ContainerAppProbeTcpSocketArgs
	switch {
	case hc.HttpPath != "" || hc.HttpPort != 0:
		port := hc.HttpPort
		if port == 0 {
			port = 80
		}
		path := hc.HttpPath
		if path == "" {
			path = "/"
		}
		httpGet = &apps.ContainerAppProbeHttpGetArgs{Path: pulumi.String(path), Port: pulumi.Int(port), Scheme: pulumi.String("HTTP")}
	case len(ports) > 0:
		tcp = &apps.ContainerAppProbeTcpSocketArgs{Port: pulumi.Int(ports[0].Port)}
	default:
		return nil
	}
	// The ranges are Microsoft.App's ContainerAppProbe model, in the API
	// version we deploy (Azure/azure-rest-api-specs,
	// specification/app/resource-manager/Microsoft.App/stable/2024-03-01/CommonDefinitions.json;
	// unchanged in 2025-01-01): periodSeconds and timeoutSeconds 1-240,
	// failureThreshold 1-10, initialDelaySeconds 1-60 ("Minimum value is
	// 1"), so a healthcheck without start_period starts probing after 1s.
	var out apps.ContainerAppProbeArray
	for _, kind := range []string{"Liveness", "Readiness"} {
		out = append(out, &apps.ContainerAppProbeArgs{
			Type:                pulumi.String(kind),
			HttpGet:             httpGet,
			TcpSocket:           tcp,
			PeriodSeconds:       pulumi.Int(appClamp(appOrDefault(hc.IntervalSeconds, 30), 1, 240)),
			TimeoutSeconds:      pulumi.Int(appClamp(appOrDefault(hc.TimeoutSeconds, 5), 1, 240)),
			FailureThreshold:    pulumi.Int(appClamp(appOrDefault(hc.Retries, 3), 1, 10)),
			InitialDelaySeconds: pulumi.Int(appClamp(hc.StartPeriodSeconds, 1, 60)),
		})
	}
	return out
}

// appSecretName is the name of an app secret for an environment variable:
// lowercase letters, digits and hyphens, with a hash of the variable name
// (API_KEY and api_key stay distinct).
func appSecretName(envName string) string {
	suffix := hashSuffix(envName, 8)
	return dashedName(maxContainerAppName*2-len(suffix)-1, envName) + "-" + suffix
}

// environmentVars is the container's environment, sorted by name: plain
// values, overridden by resolved ones, and secret references, which win over
// both (a secret never also appears as a plain value).
func environmentVars(plain, resolved, secrets map[string]string) []apps.EnvironmentVar {
	values := map[string]string{}
	for k, v := range plain {
		values[k] = v
	}
	for k, v := range resolved {
		values[k] = v
	}
	for k := range secrets {
		delete(values, k)
	}
	names := append(appSortedKeys(values), appSortedKeys(secrets)...)
	sort.Strings(names)
	out := make([]apps.EnvironmentVar, 0, len(names))
	for _, k := range names {
		name := k
		if _, ok := secrets[k]; ok {
			ref := appSecretName(k)
			out = append(out, apps.EnvironmentVar{Name: &name, SecretRef: &ref})
			continue
		}
		value := values[k]
		out = append(out, apps.EnvironmentVar{Name: &name, Value: &value})
	}
	return out
}

func appStringArray(ss []string) pulumi.StringArrayInput {
	if len(ss) == 0 {
		return nil
	}
	return pulumi.ToStringArray(ss)
}

func appSortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func appClamp(v, lo, hi int) int { return min(max(v, lo), hi) }

func appOrDefault(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}
