package azure

// defang:azure:BuildPipeline: the Azure side of DESIGN.md section 6. A
// service's build context is hashed exactly as on AWS (provider/buildcontext)
// when the program runs; one defang:azure:ImageBuild per service
// (image_build.go, served by this same plugin through the Azure SDK for Go)
// uploads it under its digest to a private blob container and builds and
// pushes it with an ACR Tasks quick run, logging the build statuses and
// failing with the tail of the run's log.
//
// # Who reads and writes the contexts: Entra identities only
//
// The storage account allows no shared keys: the deployer (the identity
// Pulumi runs as, getClientConfig's objectId) uploads with its own token,
// for which the pipeline grants it Storage Blob Data Contributor on the
// contexts' container and Storage Blob Delegator on the account; the ACR run,
// which fetches a remote context anonymously over HTTPS, reads its one blob
// through a user delegation SAS that the ImageBuild signs at build time
// (read only, one blob, HTTPS, a few hours). No SAS is kept in the state.
// The account is dedicated to build contexts and holds nothing else;
// anonymous blob access is off, TLS 1.2 is the minimum, HTTP is refused.
//
// # No rebuild when nothing changed
//
// The ImageBuild is replaced only when the context digest or a build
// setting changes (its Diff), and the blob is named after the digest, so an
// unchanged service neither uploads nor builds.

import (
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pulumi/pulumi-azure-native-sdk/containerregistry/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/storage/v2"
	"github.com/pulumi/pulumi-go-provider/infer"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/DefangLabs/pulumi-defang/provider/autonaming"
	"github.com/DefangLabs/pulumi-defang/provider/buildcontext"
	"github.com/DefangLabs/pulumi-defang/provider/imagebuild"
	"github.com/DefangLabs/pulumi-defang/provider/internal/outputs"
	"github.com/DefangLabs/pulumi-defang/provider/mode"
	"github.com/DefangLabs/pulumi-defang/provider/spec"
)

const (
	// bpContainer is the blob container holding the packed contexts.
	bpContainer = "builds"
	// bpBuildCPU is the cores of an ACR Tasks run on the shared agent pool
	// (ACR's default). Larger builds need a dedicated agent pool (Premium).
	bpBuildCPU = 2
	// bpBuildTimeout is the run timeout in seconds, as CodeBuild's 60 minutes.
	bpBuildTimeout = 3600
)

// BuildSpec is one image to build; the shape is shared by both clouds
// (provider/spec).
type BuildSpec = spec.Build

// BuildPipelineArgs are the inputs of defang:azure:BuildPipeline.
type BuildPipelineArgs struct {
	ProjectName       string             `pulumi:"projectName"`
	Mode              string             `pulumi:"mode,optional"`
	ResourceGroupName pulumi.StringInput `pulumi:"resourceGroupName"`
	Location          pulumi.StringInput `pulumi:"location,optional"`
	Builds            []BuildSpec        `pulumi:"builds"`
}

func (a *BuildPipelineArgs) Annotate(an infer.Annotator) {
	an.Describe(&a.ProjectName, "The project name, used in resource names.")
	an.Describe(&a.Mode, "Deployment mode: sets the registry SKU (Premium and zone redundant in high_availability).")
	an.Describe(&a.ResourceGroupName, "The resource group that receives the registry and the build storage account.")
	an.Describe(&a.Location, "Azure region; the resource group's by default.")
	an.Describe(&a.Builds, "The images to build, one per service with a compose `build:`.")
}

// BuildPipeline is defang:azure:BuildPipeline.
type BuildPipeline struct {
	pulumi.ResourceState

	RegistryName        pulumi.StringOutput `pulumi:"registryName"`
	RegistryLoginServer pulumi.StringOutput `pulumi:"registryLoginServer"`
	RegistryId          pulumi.StringOutput `pulumi:"registryId"`
	StorageAccountName  pulumi.StringOutput `pulumi:"storageAccountName"`
	// ImageUris maps each service to its built image, by digest.
	ImageUris pulumi.StringMapOutput `pulumi:"imageUris"`
}

func (b *BuildPipeline) Annotate(a infer.Annotator) {
	a.SetToken("azure", "BuildPipeline")
	a.Describe(&b, "Builds a project's images in its own Azure subscription: an Azure Container Registry (admin user "+
		"disabled), a storage account without shared keys with a private container for the packed build contexts, "+
		"the deployer's Storage Blob Data Contributor (container) and Storage Blob Delegator (account) roles, and one "+
		"defang:azure:ImageBuild (an ACR Tasks quick run) per service that runs again only when its context or "+
		"build settings change. Grant pulls with an AcrPull role assignment on registryId.")
	a.Describe(&b.RegistryName, "The container registry's name.")
	a.Describe(&b.RegistryLoginServer, "The registry's login server, <name>.azurecr.io.")
	a.Describe(&b.RegistryId, "The registry's resource id: the scope of AcrPull role assignments.")
	a.Describe(&b.StorageAccountName, "The storage account holding the packed build contexts.")
	a.Describe(&b.ImageUris, "Service to the built image: <loginServer>/<repository>@sha256:<digest>, "+
		"or <loginServer>/<repository>:<tag> when ACR does not report the digest.")
}

// bpBuild is a validated BuildSpec with everything derived from it.
type bpBuild struct {
	spec       BuildSpec
	dockerfile string
	platform   bpPlatform
	digest     string // sha256:<hex> of the packed context
	repository string
}

// NewBuildPipeline creates the registry, the context storage, the deployer's
// storage roles and one ImageBuild per service.
func NewBuildPipeline(ctx *pulumi.Context, name string, args BuildPipelineArgs, opts ...pulumi.ResourceOption) (*BuildPipeline, error) {
	comp := &BuildPipeline{}
	if err := ctx.RegisterComponentResource("defang:azure:BuildPipeline", name, comp, opts...); err != nil {
		return nil, err
	}
	m, err := mode.Parse(args.Mode)
	if err != nil {
		return nil, err
	}
	if args.ResourceGroupName == nil {
		return nil, errors.New("BuildPipeline needs a resourceGroupName")
	}
	settings := settingsFor(m)
	parent := pulumi.Parent(comp)

	// Validate and hash every context before creating anything, so that a
	// bad build fails the preview instead of half an update.
	builds, err := bpPrepare(args.Builds)
	if err != nil {
		return nil, err
	}

	group := args.ResourceGroupName.ToStringOutput()
	project, stack := args.ProjectName, ctx.Stack()
	// Registry and storage account names are global DNS names: unique to
	// the subscription and resource group.
	client, err := clientConfig(ctx, comp)
	if err != nil {
		return nil, err
	}
	sub := client.SubscriptionId
	registryName := group.ApplyT(func(rg string) string {
		return named(ctx, tokenRegistry, compactName(maxRegistryName, "defang", project, stack, hashSuffix(sub+"/"+rg, 6)),
			autonaming.Rule{Min: 5, Max: maxRegistryName, Lower: true, LetterFirst: true})
	}).(pulumi.StringOutput)
	accountName := group.ApplyT(func(rg string) string {
		return named(ctx, tokenStorageAccount, compactName(maxStorageAccount, "dfctx", project, stack, hashSuffix(sub+"/"+rg, 6)),
			autonaming.Rule{Min: 3, Max: maxStorageAccount, Lower: true, LetterFirst: true})
	}).(pulumi.StringOutput)

	registryArgs := &containerregistry.RegistryArgs{
		RegistryName:      registryName,
		ResourceGroupName: group,
		Location:          args.Location,
		Sku:               &containerregistry.SkuArgs{Name: pulumi.String(settings.RegistrySku)},
		// Pulls and pushes authenticate with Entra identities (AcrPull for
		// the apps, the run's own token for the builds); no shared password.
		AdminUserEnabled:    pulumi.Bool(false),
		DataEndpointEnabled: pulumi.Bool(false),
		// ACR Tasks on the shared agent pool and Container Apps without a
		// private endpoint reach the registry over its public endpoint;
		// every request is authenticated (anonymous pull stays off).
		PublicNetworkAccess: pulumi.String("Enabled"),
	}
	if settings.RegistrySku == "Premium" && settings.ZoneRedundant {
		registryArgs.ZoneRedundancy = pulumi.String("Enabled")
	}
	registry, err := containerregistry.NewRegistry(ctx, name, registryArgs, parent)
	if err != nil {
		return nil, err
	}

	account, err := storage.NewStorageAccount(ctx, name+"-contexts", &storage.StorageAccountArgs{
		AccountName:       accountName,
		ResourceGroupName: group,
		Location:          args.Location,
		Kind:              pulumi.String("StorageV2"),
		// Contexts are reproducible from the user's machine and only read
		// during a build: locally redundant storage is enough in every mode.
		Sku:                          &storage.SkuArgs{Name: pulumi.String("Standard_LRS")},
		AccessTier:                   storage.AccessTierHot,
		EnableHttpsTrafficOnly:       pulumi.Bool(true),
		MinimumTlsVersion:            pulumi.String("TLS1_2"),
		AllowBlobPublicAccess:        pulumi.Bool(false),
		AllowCrossTenantReplication:  pulumi.Bool(false),
		DefaultToOAuthAuthentication: pulumi.Bool(true),
		// Entra identities only (see the comment at the top of this file).
		AllowSharedKeyAccess: pulumi.Bool(false),
		// ACR Tasks agents fetch the context from shared, unlisted
		// addresses: the account cannot be network-restricted.
		PublicNetworkAccess: pulumi.String("Enabled"),
	}, parent)
	if err != nil {
		return nil, err
	}
	container, err := storage.NewBlobContainer(ctx, name+"-contexts", &storage.BlobContainerArgs{
		AccountName:       account.Name,
		ResourceGroupName: group,
		ContainerName:     pulumi.String(bpContainer),
		PublicAccess:      storage.PublicAccessNone,
	}, parent)
	if err != nil {
		return nil, err
	}

	// The deployer uploads the contexts and signs the builds' read SAS with
	// its own identity: data access on the one container, and the user
	// delegation key, which Azure grants at account level only.
	containerID := pulumi.Sprintf("%s/blobServices/default/containers/%s", account.ID(), bpContainer)
	grants := []pulumi.Resource{}
	for _, g := range []struct {
		suffix string
		scope  pulumi.StringOutput
		role   string
	}{
		{"-deployer-contexts", containerID, RoleStorageBlobDataContributor},
		{"-deployer-delegation", account.ID().ToStringOutput(), RoleStorageBlobDelegator},
	} {
		grant, err := grantDeployerRole(ctx, name+g.suffix, client.ObjectId, g.scope, g.role,
			parent, pulumi.DependsOn([]pulumi.Resource{container}))
		if err != nil {
			return nil, err
		}
		grants = append(grants, grant)
	}
	containerURL := pulumi.Sprintf("%s%s", account.PrimaryEndpoints.Blob(), container.Name)

	images := pulumi.StringMap{}
	for _, b := range builds {
		inputs := pulumi.Map{
			"contextPath":   pulumi.String(b.spec.Context),
			"contextDigest": pulumi.String(b.digest),
			"dockerfile":    pulumi.String(b.dockerfile),
			"platform":      pulumi.String(b.platform.String()),
			"registryId":    registry.ID(),
			"repositoryUrl": pulumi.Sprintf("%s/%s", registry.LoginServer, b.repository),
			"containerUrl":  containerURL,
		}
		if b.spec.Target != "" {
			inputs["target"] = pulumi.String(b.spec.Target)
		}
		if len(b.spec.Args) > 0 {
			inputs["buildArgs"] = pulumi.ToStringMap(b.spec.Args)
		}
		build, err := imagebuild.Register(ctx, "defang:azure:ImageBuild", name+"-"+b.spec.Service, inputs,
			parent, pulumi.DependsOn(grants))
		if err != nil {
			return nil, err
		}
		images[b.spec.Service] = build.ImageUri
	}

	comp.RegistryName = registry.Name
	comp.RegistryLoginServer = registry.LoginServer
	comp.RegistryId = registry.ID().ToStringOutput()
	comp.StorageAccountName = account.Name
	comp.ImageUris = images.ToStringMapOutput()
	return comp, outputs.Register(ctx, comp)
}

// bpPrepare validates the builds, sorts them by service and hashes each
// context.
func bpPrepare(specs []BuildSpec) ([]bpBuild, error) {
	sorted := append([]BuildSpec(nil), specs...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Service < sorted[j].Service })
	builds := make([]bpBuild, 0, len(sorted))
	repos := map[string]string{}
	for _, s := range sorted {
		b, err := bpPrepareOne(s)
		if err != nil {
			return nil, fmt.Errorf("service %q: build: %w", s.Service, err)
		}
		if other, ok := repos[b.repository]; ok {
			return nil, fmt.Errorf("services %q and %q would push to the same repository %q: rename one", other, s.Service, b.repository)
		}
		repos[b.repository] = s.Service
		builds = append(builds, b)
	}
	return builds, nil
}

func bpPrepareOne(s BuildSpec) (bpBuild, error) {
	b := bpBuild{spec: s, dockerfile: s.Dockerfile}
	if s.Service == "" {
		return b, errors.New("a build needs a service name")
	}
	if !filepath.IsAbs(s.Context) {
		return b, fmt.Errorf("the context must be an absolute path, got %q", s.Context)
	}
	if b.dockerfile == "" {
		b.dockerfile = buildcontext.DefaultDockerfile
	}
	// ACR reads the Dockerfile path with forward slashes.
	b.dockerfile = path.Clean(filepath.ToSlash(b.dockerfile))
	for _, k := range imagebuild.SortedKeys(s.Args) {
		if k == "" || strings.ContainsAny(k, "=\x00") || strings.ContainsRune(s.Args[k], 0) {
			return b, fmt.Errorf("build argument %q: a name must be non-empty and without '=', and neither may contain NUL", k)
		}
	}
	var err error
	if b.platform, err = bpParsePlatform(s.Platform); err != nil {
		return b, err
	}
	if b.repository, err = bpRepository(s.Service); err != nil {
		return b, err
	}
	if b.digest, err = buildcontext.Digest(s.Context, b.dockerfile); err != nil {
		return b, err
	}
	return b, nil
}

// bpRepository is the ACR repository of a service: compose service names
// lower-cased, with anything ACR does not accept replaced by '-'.
func bpRepository(service string) (string, error) {
	var sb strings.Builder
	for _, r := range strings.ToLower(service) {
		switch {
		case (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9'), r == '.', r == '_', r == '-':
			sb.WriteRune(r)
		default:
			sb.WriteByte('-')
		}
	}
	repo := strings.Trim(sb.String(), "._-")
	if repo == "" {
		return "", fmt.Errorf("service name %q gives no valid repository name", service)
	}
	if len(repo) > 200 {
		repo = repo[:191] + "-" + hashSuffix(repo, 8)
	}
	return repo, nil
}

// bpPlatform is an ACR run platform.
type bpPlatform struct{ os, arch, variant string }

func (p bpPlatform) String() string {
	s := strings.ToLower(p.os) + "/" + p.arch
	if p.variant != "" {
		s += "/" + p.variant
	}
	return s
}

// bpParsePlatform reads a docker platform (os/arch[/variant]) into ACR's
// terms.
func bpParsePlatform(s string) (bpPlatform, error) {
	if s == "" {
		s = imagebuild.DefaultPlatform
	}
	parts := strings.Split(strings.ToLower(strings.TrimSpace(s)), "/")
	if len(parts) < 2 || len(parts) > 3 {
		return bpPlatform{}, fmt.Errorf("platform %q: want os/arch[/variant], such as linux/amd64", s)
	}
	var p bpPlatform
	switch parts[0] {
	case "linux":
		p.os = "Linux"
	case "windows":
		p.os = "Windows"
	default:
		return bpPlatform{}, fmt.Errorf("platform %q: ACR Tasks build Linux and Windows images only", s)
	}
	switch parts[1] {
	case "amd64", "x86", "386", "arm", "arm64":
		p.arch = parts[1]
	case "x86_64":
		p.arch = "amd64"
	case "aarch64":
		p.arch = "arm64"
	default:
		return bpPlatform{}, fmt.Errorf("platform %q: ACR Tasks build amd64, 386, x86, arm and arm64 images only", s)
	}
	if len(parts) == 3 {
		switch parts[2] {
		case "v6", "v7", "v8":
			p.variant = parts[2]
		default:
			return bpPlatform{}, fmt.Errorf("platform %q: ACR Tasks know the CPU variants v6, v7 and v8 only", s)
		}
	}
	return p, nil
}
