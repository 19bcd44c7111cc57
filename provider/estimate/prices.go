package estimate

import (
	"fmt"
	"sort"
	"strings"

	"github.com/DefangLabs/pulumi-defang/provider/plan"
)

// PricesAsOf is the month the bundled price table reflects: public
// on-demand list prices (Linux, no free tier, no Savings Plans or reserved
// capacity), in USD.
//
// Sources. The us-east-1 anchors were checked against public pricing pages
// and price write-ups of 2026 (AWS Fargate, ELB, VPC/NAT, RDS, DocumentDB,
// CodeBuild and CloudWatch pricing pages and their us-east-1 figures
// quoted by vantage.sh, cloudburn.io, infratally.com, usage.ai and
// factualminds.com, March-June 2026): Fargate $0.04048/vCPU-h and
// $0.004445/GB-h (ARM $0.03238 and $0.00356), Fargate Spot "up to 70%"
// off, ALB $0.0225/h + $0.008/LCU-h, NAT $0.045/h + $0.045/GB, public IPv4
// $0.005/h, RDS PostgreSQL db.t4g.micro/small/medium $0.016/$0.032/$0.065
// (Multi-AZ twice that), gp3 $0.115/GB-month, DocumentDB storage
// $0.10/GB-month and I/O $0.20/million, g5.xlarge $1.006/h, CodeBuild
// general1.small/medium $0.005/$0.01 a minute, CloudWatch Logs $0.50/GB.
// The other entries (the remaining instance classes, us-west-2 and
// eu-west-1) are the well-known list prices of the same public price list,
// not re-checked one by one: treat them as estimates, and update the table
// (and this date) when AWS changes a price.
const PricesAsOf = "2026-06"

// HoursPerMonth is the month an estimate prices: 730 hours (8,760 / 12).
const HoursPerMonth = 730.0

// Discounts and volumes the estimate assumes; each is stated in every
// estimate's assumptions.
const (
	// FargateSpotDiscount: AWS documents Fargate Spot "at up to a 70%
	// discount off the Fargate price"; the estimate takes the full 70%.
	FargateSpotDiscount = 0.70
	// EC2SpotDiscount: GPU instances in affordable mode are Spot; their
	// price varies by pool and hour, the estimate takes 60% off on-demand.
	EC2SpotDiscount = 0.60
	// ValkeyDiscount: ElastiCache node-based clusters of Valkey are priced
	// 20% below Redis OSS nodes of the same type.
	ValkeyDiscount = 0.20

	LogGBPerService      = 1.0   // CloudWatch Logs ingested a month per service log group
	LogGBPerBuildGroup   = 0.1   // ... per build log group
	BuildMinutesPerImage = 100.0 // CodeBuild minutes a month per built image (20 builds of 5 minutes)
	NATGBPerGateway      = 10.0  // data processed a month per NAT gateway
	LCUPerLoadBalancer   = 1.0   // capacity units per load balancer, every hour
	ECRGBPerRepository   = 1.0   // image storage per ECR repository
	DocDBStorageGB       = 10.0  // DocumentDB cluster storage
	DocDBMillionIOs      = 5.0   // DocumentDB I/O requests a month, in millions
	NeverExpireLogMonths = 12.0  // log groups without retention: a year of logs stored
)

// awsPrices is one region's AWS price list.
type awsPrices struct {
	FargateVCPUHour, FargateGBHour       float64 // Linux/x86
	FargateARMVCPUHour, FargateARMGBHour float64 // Linux/ARM
	ALBHour, ALBLCUHour                  float64
	NLBHour, NLBNLCUHour                 float64
	NATHour, NATPerGB                    float64
	PublicIPv4Hour                       float64
	// RDSPostgres is the Single-AZ hourly price of each instance class;
	// Multi-AZ (one standby) is twice that, storage too.
	RDSPostgres     map[string]float64
	RDSGp3GBMonth   float64
	ElastiCacheNode map[string]float64 // Redis OSS, per node-hour
	DocDBInstance   map[string]float64 // per instance-hour
	DocDBGBMonth    float64
	DocDBPerMillion float64
	EC2Instance     map[string]float64 // Linux on-demand, per hour
	EBSGp3GBMonth   float64
	LogsIngestGB    float64
	LogsStoreGBMon  float64
	CodeBuildMinute map[string]float64 // by compute type
	ECRGBMonth      float64
	HostedZoneMonth float64 // Route 53 hosted zone (a Cloud Map private DNS namespace is one)
	SecretMonth     float64 // Secrets Manager secret
	KMSKeyMonth     float64 // customer managed KMS key
}

var usEast1 = awsPrices{
	FargateVCPUHour: 0.04048, FargateGBHour: 0.004445,
	FargateARMVCPUHour: 0.03238, FargateARMGBHour: 0.00356,
	ALBHour: 0.0225, ALBLCUHour: 0.008,
	NLBHour: 0.0225, NLBNLCUHour: 0.006,
	NATHour: 0.045, NATPerGB: 0.045,
	PublicIPv4Hour: 0.005,
	RDSPostgres: map[string]float64{
		"db.t4g.micro": 0.016, "db.t4g.small": 0.032, "db.t4g.medium": 0.065, "db.t4g.large": 0.129,
		"db.t3.micro": 0.018, "db.t3.small": 0.036, "db.t3.medium": 0.072,
		"db.m6g.large": 0.159, "db.m7g.large": 0.168,
		"db.r6g.large": 0.225, "db.r6g.xlarge": 0.449, "db.r7g.large": 0.239,
	},
	RDSGp3GBMonth: 0.115,
	ElastiCacheNode: map[string]float64{
		"cache.t4g.micro": 0.016, "cache.t4g.small": 0.032, "cache.t4g.medium": 0.065,
		"cache.t3.micro": 0.017, "cache.m6g.large": 0.149, "cache.m7g.large": 0.158,
		"cache.r6g.large": 0.206, "cache.r7g.large": 0.219,
	},
	DocDBInstance: map[string]float64{
		"db.t3.medium": 0.078, "db.t4g.medium": 0.078, "db.r5.large": 0.277, "db.r6g.large": 0.249,
	},
	DocDBGBMonth: 0.10, DocDBPerMillion: 0.20,
	EC2Instance: map[string]float64{
		"g4dn.xlarge": 0.526, "g4dn.2xlarge": 0.752,
		"g5.xlarge": 1.006, "g5.2xlarge": 1.212, "g5.4xlarge": 1.624, "g5.8xlarge": 2.448,
		"g5.16xlarge": 4.096, "g5.12xlarge": 5.672, "g5.24xlarge": 8.144, "g5.48xlarge": 16.288,
	},
	EBSGp3GBMonth: 0.08,
	LogsIngestGB:  0.50, LogsStoreGBMon: 0.03,
	CodeBuildMinute: map[string]float64{
		"BUILD_GENERAL1_SMALL": 0.005, "BUILD_GENERAL1_MEDIUM": 0.01, "BUILD_GENERAL1_LARGE": 0.02,
	},
	ECRGBMonth: 0.10, HostedZoneMonth: 0.50, SecretMonth: 0.40, KMSKeyMonth: 1.00,
}

// euWest1 (Ireland): Fargate and CodeBuild as us-east-1; load balancers,
// NAT, databases, instances and logs at their Ireland list prices.
var euWest1 = awsPrices{
	FargateVCPUHour: 0.04048, FargateGBHour: 0.004445,
	FargateARMVCPUHour: 0.03238, FargateARMGBHour: 0.00356,
	ALBHour: 0.0252, ALBLCUHour: 0.008,
	NLBHour: 0.0252, NLBNLCUHour: 0.006,
	NATHour: 0.048, NATPerGB: 0.048,
	PublicIPv4Hour: 0.005,
	RDSPostgres: map[string]float64{
		"db.t4g.micro": 0.017, "db.t4g.small": 0.034, "db.t4g.medium": 0.068, "db.t4g.large": 0.136,
		"db.t3.micro": 0.019, "db.t3.small": 0.038, "db.t3.medium": 0.076,
		"db.m6g.large": 0.170, "db.m7g.large": 0.180,
		"db.r6g.large": 0.250, "db.r6g.xlarge": 0.500, "db.r7g.large": 0.266,
	},
	RDSGp3GBMonth: 0.127,
	ElastiCacheNode: map[string]float64{
		"cache.t4g.micro": 0.018, "cache.t4g.small": 0.036, "cache.t4g.medium": 0.072,
		"cache.t3.micro": 0.019, "cache.m6g.large": 0.166, "cache.m7g.large": 0.176,
		"cache.r6g.large": 0.229, "cache.r7g.large": 0.243,
	},
	DocDBInstance: map[string]float64{
		"db.t3.medium": 0.086, "db.t4g.medium": 0.086, "db.r5.large": 0.304, "db.r6g.large": 0.274,
	},
	DocDBGBMonth: 0.11, DocDBPerMillion: 0.22,
	EC2Instance: map[string]float64{
		"g4dn.xlarge": 0.587, "g4dn.2xlarge": 0.838,
		"g5.xlarge": 1.123, "g5.2xlarge": 1.353, "g5.4xlarge": 1.813, "g5.8xlarge": 2.733,
		"g5.16xlarge": 4.572, "g5.12xlarge": 6.332, "g5.24xlarge": 9.091, "g5.48xlarge": 18.182,
	},
	EBSGp3GBMonth: 0.088,
	LogsIngestGB:  0.57, LogsStoreGBMon: 0.03,
	CodeBuildMinute: map[string]float64{
		"BUILD_GENERAL1_SMALL": 0.005, "BUILD_GENERAL1_MEDIUM": 0.01, "BUILD_GENERAL1_LARGE": 0.02,
	},
	ECRGBMonth: 0.10, HostedZoneMonth: 0.50, SecretMonth: 0.40, KMSKeyMonth: 1.00,
}

// awsRegions: us-west-2 (Oregon) lists the same prices as us-east-1 for
// every service priced here.
var awsRegions = map[string]*awsPrices{
	"us-east-1": &usEast1,
	"us-west-2": &usEast1,
	"eu-west-1": &euWest1,
}

// AzurePricesAsOf is the month the Azure price table reflects: public
// pay-as-you-go list prices (Linux, no free grants, reservations or savings
// plans), in USD. The Azure table was assembled later than the AWS one
// (PricesAsOf), so an Azure estimate reports this date instead.
//
// Sources. Checked against Azure Retail Prices API snapshots and pages of
// 2026 quoting them (the meter names are the API's):
//   - Container Apps, Consumption plan: Standard vCPU Active Usage
//     $0.000024/s and Standard Memory Active Usage $0.000003/GiB-s (idle
//     vCPU $0.000003/s, not used here); West Europe $0.000034 and
//     $0.000004 (Retail Prices API snapshots: eastus2 in a generated cost
//     model of 2026-09-16, westeurope in Arturo-Quiroga-MSFT/
//     azure-architecture-diagram-builder's regional price files; the
//     consumption meters are the same in East US, per Microsoft's
//     techcommunity "Understanding idle usage in Azure Container Apps" and
//     c3x.dev). The monthly free grant (180,000 vCPU-s, 360,000 GiB-s, 2
//     million requests, learn.microsoft.com/azure/container-apps/billing) is
//     per subscription and not deducted.
//   - A VNet-integrated external environment also bills a standard load
//     balancer and two standard static public IPv4 addresses in its managed
//     resource group (learn.microsoft.com/azure/container-apps/
//     custom-virtual-networks, "Managed resources"): Standard IPv4 Static
//     Public IP $0.005/h (eastus2 and westeurope API rows), Standard Load
//     Balancer first 5 rules $0.025/h (the load balancer pricing page's list
//     price, not re-checked per region).
//   - Log Analytics, Analytics Logs: ingestion $2.30/GB and retention beyond
//     the included 31 days $0.10/GB-month in East US (API, 2026-08-09, quoted
//     in a public Terraform module), $2.76 and $0.12 in East US 2 (API,
//     2026-10-03), $2.99 and $0.13 in West Europe (API snapshot).
//   - Container Registry: Basic/Standard/Premium Registry Unit
//     $0.1666/$0.6666/$1.6666 a day, Task vCPU Duration $0.0001 per
//     vCPU-second past the free tier (API rows for eastus2 and westeurope).
//   - PostgreSQL Flexible Server: Standard_B2s $0.068/h and Storage Data
//     Stored $0.115/GB-month in East US 2 (API, 2026-10-03); Standard_B1ms
//     $12.41 a month ($0.017/h, a 2026 price comparison) in East US; D2ds_v5
//     $0.178/h (Ddsv5 $0.089 per vCore-hour, an East US API row for
//     D8ds_v5 at $0.712). West Europe: B1ms $0.0199, B2s $0.0796, B2ms
//     $0.1592, D4ds_v5 $0.424 (D2ds_v5 $0.212), storage $0.1369 (API
//     snapshot). Zone-redundant high availability bills a standby of the same
//     compute and storage: twice the price.
//   - Azure Managed Redis, Balanced: B0/B1/B3/B5 Cache Instance
//     $0.016/$0.032/$0.065/$0.156 an hour per node in East US 2 (API,
//     2026-08-11; an East US deployment note gives B0 $0.016 too), West
//     Europe $0.019/$0.038/$0.077/$0.186. The API price is per node: high
//     availability is two nodes, twice the price (Microsoft's
//     AzureManagedRedis/amr-migration-skill, references/pricing-tiers.md).
//   - Private Link: Standard Private Endpoint $0.01/h and $0.01/GB
//     processed; Azure DNS Private Zone $0.50 a zone-month; Key Vault
//     Standard operations $0.03 per 10,000 (API rows, eastus2 and
//     westeurope).
//
// Not verified: West US 3 is priced as East US (no West US 3 price was
// checked); East US is assumed to list the East US 2 prices of Container
// Registry, Postgres B2s and storage, Managed Redis, Private Link, DNS, Key
// Vault and public IPs (the regions' list prices usually agree; Log
// Analytics and Blob storage, which differ, have their own entries); Blob
// Hot LRS $0.0208/GB-month in East US comes from a test fixture quoting the
// API (East US 2: $0.0184) and is assumed in West Europe too; the load
// balancer price is the list price everywhere. Derived rather than read:
// East US Standard_B2ms (twice B2s, as in West Europe) and D4ds_v5 (per
// vCore), West Europe D2ds_v5 and D8ds_v5 (per vCore). Update the table,
// and this date, when Azure changes a price.
const AzurePricesAsOf = "2026-09"

// Volumes the Azure estimate assumes; each is stated in every Azure
// estimate's assumptions.
const (
	// ScaleToZeroHoursPerDay: an app that scales to zero (minReplicas 0:
	// affordable HTTP apps) is priced as one replica active this many hours
	// a day, the example of Microsoft's own Container Apps pricing guide.
	ScaleToZeroHoursPerDay = 8.0
	LogGBPerEnvironment    = 0.1     // the Container Apps environment's own logs and metrics, a month
	LogFreeRetentionDays   = 31.0    // Analytics Logs retention included in ingestion
	ACRTaskDefaultVCPU     = 2.0     // vCPUs of an ACR Tasks run on the shared agent pool (defang:azure:ImageBuild's)
	BlobGBPerBuildAccount  = 1.0     // build contexts kept in the storage account
	PrivateEndpointGB      = 10.0    // data processed a month per private endpoint
	KeyVaultOpsPerVault    = 10000.0 // Key Vault operations a month per vault
	// HiddenAppVCPU and HiddenAppGiB size a Container App whose template
	// the plan shows as secret: the smallest consumption size.
	HiddenAppVCPU = 0.25
	HiddenAppGiB  = 0.5
	// PostgresDefaultStorageGB is Flexible Server's smallest storage, for a
	// server that sets none.
	PostgresDefaultStorageGB = 32.0
)

// SecondsPerMonth is the month an estimate prices, in seconds.
const SecondsPerMonth = HoursPerMonth * 3600

// azurePrices is one region's Azure price list.
type azurePrices struct {
	ContainerAppsVCPUSecond float64 // Consumption plan, active rate
	ContainerAppsGiBSecond  float64
	PublicIPv4Hour          float64            // Standard static IPv4
	LoadBalancerHour        float64            // Standard Load Balancer, first 5 rules
	LogAnalyticsGB          float64            // Analytics Logs ingestion (pay as you go)
	LogRetentionGBMonth     float64            // beyond the included 31 days
	ACRDay                  map[string]float64 // by registry SKU: Basic, Standard, Premium
	ACRTaskVCPUSecond       float64
	BlobHotLRSGBMonth       float64
	// PostgresHour is the compute price of a Flexible Server SKU (sku.name);
	// high availability bills a standby at the same price.
	PostgresHour           map[string]float64
	PostgresStorageGBMonth float64
	// ManagedRedisNodeHour is the per-node price of an Azure Managed Redis
	// SKU (sku.name); high availability is two nodes.
	ManagedRedisNodeHour map[string]float64
	PrivateEndpointHour  float64
	PrivateEndpointGB    float64
	DNSZoneMonth         float64 // a hosted (private or public) DNS zone, first 25
	KeyVaultPer10kOps    float64 // Standard tier operations
}

var azureEastUS = azurePrices{
	ContainerAppsVCPUSecond: 0.000024, ContainerAppsGiBSecond: 0.000003,
	PublicIPv4Hour: 0.005, LoadBalancerHour: 0.025,
	LogAnalyticsGB: 2.30, LogRetentionGBMonth: 0.10,
	ACRDay:            map[string]float64{"Basic": 0.1666, "Standard": 0.6666, "Premium": 1.6666},
	ACRTaskVCPUSecond: 0.0001,
	BlobHotLRSGBMonth: 0.0208,
	PostgresHour: map[string]float64{
		"Standard_B1ms": 0.017, "Standard_B2s": 0.068, "Standard_B2ms": 0.136,
		"Standard_D2ds_v5": 0.178, "Standard_D4ds_v5": 0.356, "Standard_D8ds_v5": 0.712,
	},
	PostgresStorageGBMonth: 0.115,
	ManagedRedisNodeHour: map[string]float64{
		"Balanced_B0": 0.016, "Balanced_B1": 0.032, "Balanced_B3": 0.065, "Balanced_B5": 0.156,
	},
	PrivateEndpointHour: 0.01, PrivateEndpointGB: 0.01,
	DNSZoneMonth: 0.50, KeyVaultPer10kOps: 0.03,
}

// azureEastUS2 lists East US prices but for Log Analytics and Blob storage.
var azureEastUS2 = func() azurePrices {
	p := azureEastUS
	p.LogAnalyticsGB, p.LogRetentionGBMonth = 2.76, 0.12
	p.BlobHotLRSGBMonth = 0.0184
	return p
}()

var azureWestEurope = azurePrices{
	ContainerAppsVCPUSecond: 0.000034, ContainerAppsGiBSecond: 0.000004,
	PublicIPv4Hour: 0.005, LoadBalancerHour: 0.025,
	LogAnalyticsGB: 2.99, LogRetentionGBMonth: 0.13,
	ACRDay:            map[string]float64{"Basic": 0.1666, "Standard": 0.6666, "Premium": 1.6666},
	ACRTaskVCPUSecond: 0.0001,
	BlobHotLRSGBMonth: 0.0208,
	PostgresHour: map[string]float64{
		"Standard_B1ms": 0.0199, "Standard_B2s": 0.0796, "Standard_B2ms": 0.1592,
		"Standard_D2ds_v5": 0.212, "Standard_D4ds_v5": 0.424, "Standard_D8ds_v5": 0.848,
	},
	PostgresStorageGBMonth: 0.1369,
	ManagedRedisNodeHour: map[string]float64{
		"Balanced_B0": 0.019, "Balanced_B1": 0.038, "Balanced_B3": 0.077, "Balanced_B5": 0.186,
	},
	PrivateEndpointHour: 0.01, PrivateEndpointGB: 0.01,
	DNSZoneMonth: 0.50, KeyVaultPer10kOps: 0.03,
}

// azureRegions: West US 3 is priced as East US (not verified, see
// AzurePricesAsOf).
var azureRegions = map[string]*azurePrices{
	"eastus":     &azureEastUS,
	"eastus2":    &azureEastUS2,
	"westus3":    &azureEastUS,
	"westeurope": &azureWestEurope,
}

// DefaultRegion is the region an estimate prices when none is given.
func DefaultRegion(cloud string) string {
	if cloud == "azure" {
		return "eastus"
	}
	return plan.DefaultRegion
}

// pricesAsOf is the month of a cloud's price table.
func pricesAsOf(cloud string) string {
	if cloud == "azure" {
		return AzurePricesAsOf
	}
	return PricesAsOf
}

// Regions lists the regions the price table knows for a cloud, sorted.
func Regions(cloud string) []string {
	var out []string
	switch cloud {
	case "aws":
		for r := range awsRegions {
			out = append(out, r)
		}
	case "azure":
		for r := range azureRegions {
			out = append(out, r)
		}
	}
	sort.Strings(out)
	return out
}

// CheckRegion fails, naming the known regions, when the price table has no
// prices for the region.
func CheckRegion(cloud, region string) error {
	switch cloud {
	case "aws":
		if _, ok := awsRegions[region]; ok {
			return nil
		}
	case "azure":
		if _, ok := azureRegions[region]; ok {
			return nil
		}
	default:
		return fmt.Errorf("no prices for cloud %q: use aws or azure", cloud)
	}
	return fmt.Errorf("no %s prices for region %q: the price table (as of %s) knows %s",
		cloud, region, pricesAsOf(cloud), strings.Join(Regions(cloud), ", "))
}

// priceOf looks a key up in one of a region's tables, failing with the
// keys it does know.
func priceOf(table map[string]float64, what, key, region, urn string) (float64, error) {
	return priceAsOf(table, what, key, region, urn, PricesAsOf)
}

// priceAsOf is priceOf for a table of the given date.
func priceAsOf(table map[string]float64, what, key, region, urn, asOf string) (float64, error) {
	if p, ok := table[key]; ok {
		return p, nil
	}
	known := make([]string, 0, len(table))
	for k := range table {
		known = append(known, k)
	}
	sort.Strings(known)
	return 0, fmt.Errorf("no %s price for %s %q (%s): the price table (as of %s) knows %s",
		region, what, key, urn, asOf, strings.Join(known, ", "))
}
