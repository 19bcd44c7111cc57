package azure

// defang:azure:BuildPipeline: the Azure side of DESIGN.md section 6. A
// service's build context is packed and hashed exactly as on AWS
// (provider/buildcontext), uploaded to a private blob container under its
// digest, and built and pushed by an ACR Tasks quick run (an azure-native
// containerregistry.TaskRun with a DockerBuildRequest).
//
// # How the build reads its context: a read-only service SAS
//
// ACR Tasks fetch a remote tarball context anonymously over HTTPS: neither a
// DockerBuildRequest nor the run's credentials can present a managed
// identity to Azure Storage. The only identity-based route is a multi-step
// task whose first step runs the Azure CLI image to download the blob, which
// would add a large image pull to every build and template user-supplied
// build arguments into task YAML. So the run gets the blob URL with a
// service SAS, scoped as tightly as Azure allows: one blob (sr=b), read only
// (sp=r), HTTPS only (spr=https). The SAS comes from
// storage.listStorageAccountServiceSAS, which signs with the account key, so
// the storage account keeps shared-key access enabled. That costs nothing
// extra: azure-native's Blob resource uploads with the account key anyway
// (pulumi/pulumi-azure-native#2015), so it could not work with shared keys
// disabled. The account is dedicated to build contexts and holds nothing
// else; anonymous blob access is off, TLS 1.2 is the minimum, HTTP is
// refused.
//
// The SAS expiry is fixed (bpSASExpiry), never derived from the clock: a
// time-based expiry would change the TaskRun's inputs on every update and
// rebuild every image. The trade-off: the URL stays valid until that date or
// until the account key is rotated, so it is kept secret in the Pulumi state
// (ACR may still record it in its run details). Rotating the key invalidates
// every issued SAS; the next update signs new ones, which re-runs each build
// once.
//
// # No rebuild when nothing changed
//
// The blob is named contexts/<hex>.tar.gz after the context digest, the
// TaskRun's forceUpdateTag is the digest, and the image tag is a hash of the
// digest and the build settings (like the AWS ImageBuild's tag), so every
// input of the TaskRun, SAS included, is the same byte for byte when the
// context and settings are unchanged, and the TaskRun does not run again.
//
// # Build status and logs
//
// The TaskRun is an ARM resource whose creation waits for the ACR run, so
// the run's progress is ACR's, shown as the TaskRun's create/update, and not
// as the BUILD_QUEUED ... BUILD_FAILED log lines of the AWS ImageBuild. A
// failed run fails the TaskRun (azure-native's error); if ACR instead reports
// a finished run with a failed status, the image output fails with
// BUILD_FAILED, the run id, ACR's error and the command that prints the
// run's log. There is no log tail: that needs the Azure SDK, which the
// provider does not link.

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pulumi/pulumi-azure-native-sdk/containerregistry/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/storage/v2"
	"github.com/pulumi/pulumi-go-provider/infer"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/DefangLabs/pulumi-defang/provider/buildcontext"
	"github.com/DefangLabs/pulumi-defang/provider/internal/outputs"
	"github.com/DefangLabs/pulumi-defang/provider/mode"
	"github.com/DefangLabs/pulumi-defang/provider/spec"
)

const (
	// bpSASExpiry is the fixed expiry of the build contexts' read SAS (see
	// the package comment above: deterministic on purpose).
	bpSASExpiry = "2099-01-01T00:00:00Z"
	// bpContainer is the blob container holding the packed contexts.
	bpContainer = "builds"
	// bpDefaultPlatform is the platform of an image without one.
	bpDefaultPlatform = "linux/amd64"
	// bpBuildCPU is the cores of an ACR Tasks run on the shared agent pool
	// (ACR's default). Larger builds need a dedicated agent pool (Premium).
	bpBuildCPU = 2
	// bpBuildTimeout is the run timeout in seconds, as CodeBuild's 60 minutes.
	bpBuildTimeout = 3600
	// acrPullRole is the built-in AcrPull role.
	acrPullRole = "7f951dda-4ed3-4680-a7ca-43fe172d538d"
)

// AcrPullRoleDefinitionId is the AcrPull role definition in a subscription,
// for the role assignment that lets a Container App's identity pull the
// built images.
func AcrPullRoleDefinitionId(subscription string) string {
	return "/subscriptions/" + subscription + "/providers/Microsoft.Authorization/roleDefinitions/" + acrPullRole
}

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
		"disabled), a storage account with a private container for the packed build contexts, one blob per context "+
		"digest, and one ACR Tasks run (azure-native TaskRun) per service that runs again only when its context or "+
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
	tag        string
	archive    string // the packed context in the local cache
}

// NewBuildPipeline creates the registry, the context storage and one TaskRun
// per service.
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

	// Validate, hash and pack every context before creating anything, so
	// that a bad build fails the preview instead of half an update.
	builds, err := bpPrepare(args.Builds)
	if err != nil {
		return nil, err
	}

	group := args.ResourceGroupName.ToStringOutput()
	project, stack := args.ProjectName, ctx.Stack()
	// Registry and storage account names are global DNS names: unique to
	// the subscription and resource group.
	sub, err := subscriptionID(ctx, comp)
	if err != nil {
		return nil, err
	}
	registryName := group.ApplyT(func(rg string) string {
		return compactName(maxRegistryName, "defang", project, stack, hashSuffix(sub+"/"+rg, 6))
	}).(pulumi.StringOutput)
	accountName := group.ApplyT(func(rg string) string {
		return compactName(maxStorageAccount, "dfctx", project, stack, hashSuffix(sub+"/"+rg, 6))
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
		// Needed by azure-native's Blob upload and by the build's read SAS
		// (see the comment at the top of this file).
		AllowSharedKeyAccess: pulumi.Bool(true),
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

	// One blob per distinct digest: services with the same context share
	// it, and a changed context is a new blob (the old one is deleted once
	// nothing uses it).
	blobs := map[string]*storage.Blob{}
	for _, b := range builds {
		if blobs[b.digest] != nil {
			continue
		}
		hexDigest := strings.TrimPrefix(b.digest, "sha256:")
		blob, err := storage.NewBlob(ctx, name+"-context-"+hexDigest[:16], &storage.BlobArgs{
			AccountName:       account.Name,
			ResourceGroupName: group,
			ContainerName:     container.Name,
			BlobName:          pulumi.String(bpBlobName(b.digest)),
			Type:              storage.BlobTypeBlock,
			ContentType:       pulumi.String("application/gzip"),
			Source:            pulumi.NewFileAsset(b.archive),
		}, parent)
		if err != nil {
			return nil, err
		}
		blobs[b.digest] = blob
	}

	images := pulumi.StringMap{}
	for _, b := range builds {
		blob := blobs[b.digest]
		sas := storage.ListStorageAccountServiceSASOutput(ctx, storage.ListStorageAccountServiceSASOutputArgs{
			AccountName:       account.Name,
			ResourceGroupName: group,
			CanonicalizedResource: pulumi.Sprintf("/blob/%s/%s/%s",
				account.Name, container.Name, bpBlobName(b.digest)),
			Resource:               pulumi.String("b"),
			Permissions:            pulumi.String("r"),
			Protocols:              storage.HttpProtocolHttps,
			SharedAccessExpiryTime: pulumi.String(bpSASExpiry),
		}, pulumi.DependsOn([]pulumi.Resource{blob}), pulumi.Parent(comp))
		sourceLocation := pulumi.ToSecret(pulumi.Sprintf("%s?%s", blob.Url, sas.ServiceSasToken())).(pulumi.StringOutput)

		run, err := containerregistry.NewTaskRun(ctx, name+"-"+b.spec.Service, &containerregistry.TaskRunArgs{
			RegistryName:      registry.Name,
			ResourceGroupName: group,
			Location:          registry.Location,
			TaskRunName:       pulumi.String(bpTaskRunName(b.spec.Service)),
			ForceUpdateTag:    pulumi.String(b.digest),
			RunRequest:        bpRunRequest(b, sourceLocation),
			// The request holds the SAS URL: keep it secret in the state
			// whatever ARM echoes back.
		}, parent, pulumi.AdditionalSecretOutputs([]string{"runRequest"}))
		if err != nil {
			return nil, err
		}
		images[b.spec.Service] = pulumi.All(registry.LoginServer, run.RunResult).ApplyT(
			func(v []any) (string, error) {
				return bpImageURI(v[0].(string), b, v[1].(containerregistry.RunResponse))
			}).(pulumi.StringOutput)
	}

	comp.RegistryName = registry.Name
	comp.RegistryLoginServer = registry.LoginServer
	comp.RegistryId = registry.ID().ToStringOutput()
	comp.StorageAccountName = account.Name
	comp.ImageUris = images.ToStringMapOutput()
	return comp, outputs.Register(ctx, comp)
}

// bpRunRequest is the DockerBuildRequest of one build. Build arguments are
// sorted so that the request is the same byte for byte on every run.
func bpRunRequest(b bpBuild, sourceLocation pulumi.StringOutput) containerregistry.DockerBuildRequestArgs {
	var arguments containerregistry.ArgumentArray
	for _, k := range bpSortedKeys(b.spec.Args) {
		arguments = append(arguments, containerregistry.ArgumentArgs{
			Name: pulumi.String(k), Value: pulumi.String(b.spec.Args[k]), IsSecret: pulumi.Bool(false),
		})
	}
	platform := containerregistry.PlatformPropertiesArgs{
		Os:           pulumi.String(b.platform.os),
		Architecture: pulumi.String(b.platform.arch),
	}
	if b.platform.variant != "" {
		platform.Variant = pulumi.String(b.platform.variant)
	}
	req := containerregistry.DockerBuildRequestArgs{
		Type:               pulumi.String("DockerBuildRequest"),
		SourceLocation:     sourceLocation,
		DockerFilePath:     pulumi.String(b.dockerfile),
		ImageNames:         pulumi.StringArray{pulumi.String(b.repository + ":" + b.tag)},
		IsPushEnabled:      pulumi.Bool(true),
		NoCache:            pulumi.Bool(false),
		IsArchiveEnabled:   pulumi.Bool(false),
		Platform:           platform,
		Arguments:          arguments,
		AgentConfiguration: containerregistry.AgentPropertiesArgs{Cpu: pulumi.Int(bpBuildCPU)},
		Timeout:            pulumi.Int(bpBuildTimeout),
	}
	if b.spec.Target != "" {
		req.Target = pulumi.String(b.spec.Target)
	}
	return req
}

// bpImageURI is the built image: by digest when ACR reports the pushed
// image's digest (runResult.outputImages), by tag otherwise. A run that ACR
// reports as failed fails the update with BUILD_FAILED.
func bpImageURI(loginServer string, b bpBuild, run containerregistry.RunResponse) (string, error) {
	status := bpDeref(run.Status)
	switch status {
	case "Failed", "Error", "Timeout", "Canceled":
		runID := bpDeref(run.RunId)
		msg := fmt.Sprintf("BUILD_FAILED: service %q: ACR run %s ended %s", b.spec.Service, runID, status)
		if e := strings.TrimSpace(run.RunErrorMessage); e != "" {
			msg += ": " + e
		}
		registry, _, _ := strings.Cut(loginServer, ".")
		msg += fmt.Sprintf("\nThe run's log: az acr task logs --registry %s --run-id %s", registry, runID)
		msg += "\nFix the build and update again (an unchanged context does not re-run: " +
			"use `pulumi up --replace` on the TaskRun to retry as is)."
		return "", errors.New(msg)
	}
	repo := loginServer + "/" + b.repository
	for _, img := range run.OutputImages {
		if d := bpDeref(img.Digest); d != "" && bpDeref(img.Repository) == b.repository && bpDeref(img.Tag) == b.tag {
			return repo + "@" + d, nil
		}
	}
	// One image without repository and tag details is the one pushed.
	if len(run.OutputImages) == 1 && bpDeref(run.OutputImages[0].Digest) != "" {
		return repo + "@" + bpDeref(run.OutputImages[0].Digest), nil
	}
	return repo + ":" + b.tag, nil
}

// bpPrepare validates the builds, sorts them by service and hashes and packs
// each context into the local cache.
func bpPrepare(specs []BuildSpec) ([]bpBuild, error) {
	sorted := append([]BuildSpec(nil), specs...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Service < sorted[j].Service })
	builds := make([]bpBuild, 0, len(sorted))
	repos, runs := map[string]string{}, map[string]string{}
	for _, s := range sorted {
		b, err := bpPrepareOne(s)
		if err != nil {
			return nil, fmt.Errorf("service %q: build: %w", s.Service, err)
		}
		if other, ok := repos[b.repository]; ok {
			return nil, fmt.Errorf("services %q and %q would push to the same repository %q: rename one", other, s.Service, b.repository)
		}
		if other, ok := runs[bpTaskRunName(s.Service)]; ok {
			return nil, fmt.Errorf("services %q and %q would share the ACR task run %q: rename one", other, s.Service, bpTaskRunName(s.Service))
		}
		repos[b.repository], runs[bpTaskRunName(s.Service)] = s.Service, s.Service
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
	for _, k := range bpSortedKeys(s.Args) {
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
	b.tag = bpImageTag(b)
	if b.archive, err = bpPack(s.Context, b.dockerfile, b.digest); err != nil {
		return b, err
	}
	return b, nil
}

// bpBlobName is the blob of a packed context: contexts/<hex>.tar.gz, the
// key the AWS pipeline uses in its bucket.
func bpBlobName(digest string) string {
	return "contexts/" + strings.TrimPrefix(digest, "sha256:") + ".tar.gz"
}

// bpTaskRunName is the ACR task run of a service: 5 to 50 letters, digits
// and hyphens.
func bpTaskRunName(service string) string {
	return dashedName(50, "build", service)
}

// bpImageTag is the tag pushed with the image: a hash of the context digest
// and every build setting (as the AWS ImageBuild's tag), so that two builds
// of one context with different settings never share a tag.
func bpImageTag(b bpBuild) string {
	h := sha256.New()
	write := func(fields ...string) {
		for _, f := range fields {
			h.Write([]byte(f))
			h.Write([]byte{0})
		}
	}
	write("defang-azure-image-v1", b.digest, b.dockerfile, b.spec.Target, b.platform.String())
	for _, k := range bpSortedKeys(b.spec.Args) {
		write(k, b.spec.Args[k])
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
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
		s = bpDefaultPlatform
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

// bpCacheDir is where packed contexts are kept between runs: outside the
// project, in the user's cache directory.
func bpCacheDir() string {
	dir, err := os.UserCacheDir()
	if err != nil || dir == "" {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "pulumi-defang", "contexts")
}

// bpPack writes the packed context to <cache>/<hex>.tar.gz, unless a
// previous run already did, and returns the file. The file is written to a
// temporary name and renamed, so a file with the final name is always
// complete. A context edited since it was hashed fails: the digest the
// resources were planned with must be the content uploaded.
func bpPack(dir, dockerfile, digest string) (string, error) {
	cache := bpCacheDir()
	file := filepath.Join(cache, strings.TrimPrefix(digest, "sha256:")+".tar.gz")
	if fi, err := os.Stat(file); err == nil && fi.Mode().IsRegular() && fi.Size() > 0 {
		return file, nil
	}
	if err := os.MkdirAll(cache, 0o700); err != nil {
		return "", fmt.Errorf("packing the build context: %w", err)
	}
	tmp, err := os.CreateTemp(cache, ".pack-*.tar.gz")
	if err != nil {
		return "", fmt.Errorf("packing the build context: %w", err)
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	got, err := buildcontext.Pack(dir, dockerfile, tmp)
	if err != nil {
		return "", err
	}
	if got != digest {
		return "", fmt.Errorf("the build context changed while it was packed (hashed %s, packed %s); run the update again", digest, got)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("packing the build context: %w", err)
	}
	if err := os.Rename(tmp.Name(), file); err != nil {
		return "", fmt.Errorf("packing the build context: %w", err)
	}
	done = true
	return file, nil
}

func bpSortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func bpDeref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
