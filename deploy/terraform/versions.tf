# Terraform and provider versions, and the remote state (configured at `terraform init`, see README.md).
terraform {
  required_version = ">= 1.6.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.80" # the listener's HSTS header attribute needs a recent 5.x
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.6"
    }
  }

  # Bucket, key, region and lock table come from -backend-config at init, per environment.
  backend "s3" {}
}

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      Application = "tavern"
      Environment = var.environment
      ManagedBy   = "terraform"
    }
  }
}

data "aws_caller_identity" "current" {}
data "aws_availability_zones" "available" {
  state = "available"
}

locals {
  name = "tavern-${var.environment}"
  azs  = slice(data.aws_availability_zones.available.names, 0, 2)
}
