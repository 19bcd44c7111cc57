package estimate

import (
	"fmt"
	"sort"
	"strings"
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

// azurePrices is one region's Azure price list: the structure the Azure
// cost model will read once the Azure deployment lands (Container Apps
// vCPU and GiB seconds, PostgreSQL Flexible Server, Azure Managed Redis,
// Key Vault, ACR, Log Analytics). Entries left empty are not priced yet.
type azurePrices struct {
	ContainerAppsVCPUSecond  float64
	ContainerAppsGiBSecond   float64
	PostgresFlexibleHour     map[string]float64 // by SKU, e.g. Standard_B1ms
	PostgresStorageGBMonth   float64
	ManagedRedisHour         map[string]float64 // by SKU, e.g. Balanced_B0
	KeyVaultPer10kOperations float64
	ACRDay                   map[string]float64 // Basic, Standard, Premium
	LogAnalyticsGB           float64
	PublicIPv4Hour           float64
}

// azureDraft holds the Azure list prices known today (East US, pay as you
// go). Not used by any estimate yet; verify per region when the Azure
// deployment and its cost model land.
var azureDraft = azurePrices{
	ContainerAppsVCPUSecond: 0.000024, ContainerAppsGiBSecond: 0.000003,
	PostgresFlexibleHour:     map[string]float64{},
	ManagedRedisHour:         map[string]float64{},
	KeyVaultPer10kOperations: 0.03,
	ACRDay:                   map[string]float64{"Basic": 0.167, "Standard": 0.667, "Premium": 1.667},
	LogAnalyticsGB:           2.30,
	PublicIPv4Hour:           0.005,
}

var azureRegions = map[string]*azurePrices{
	"eastus":     &azureDraft,
	"westus3":    &azureDraft,
	"westeurope": &azureDraft,
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
		cloud, region, PricesAsOf, strings.Join(Regions(cloud), ", "))
}

// priceOf looks a key up in one of a region's tables, failing with the
// keys it does know.
func priceOf(table map[string]float64, what, key, region, urn string) (float64, error) {
	if p, ok := table[key]; ok {
		return p, nil
	}
	known := make([]string, 0, len(table))
	for k := range table {
		known = append(known, k)
	}
	sort.Strings(known)
	return 0, fmt.Errorf("no %s price for %s %q (%s): the price table (as of %s) knows %s",
		region, what, key, urn, PricesAsOf, strings.Join(known, ", "))
}
