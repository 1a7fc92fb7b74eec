# Inputs: one tfvars file per environment (staging.tfvars, production.tfvars).

variable "environment" {
  description = "Environment name: staging or production."
  type        = string
  validation {
    condition     = contains(["staging", "production"], var.environment)
    error_message = "environment must be staging or production."
  }
}

variable "region" {
  description = "AWS region."
  type        = string
  default     = "eu-west-1"
}

variable "domain_name" {
  description = "Public host name of the site, e.g. tavern.example.com."
  type        = string
}

variable "certificate_arn" {
  description = "ACM certificate for domain_name, in the same region (TLS terminates at the load balancer)."
  type        = string
}

variable "image" {
  description = "Container image to run, pinned by tag or digest, e.g. ghcr.io/owner/tavern:<git sha>."
  type        = string
}

variable "vpc_cidr" {
  description = "Address range of the VPC."
  type        = string
  default     = "10.40.0.0/16"
}

variable "desired_count" {
  description = "Number of app tasks behind the load balancer."
  type        = number
  default     = 2
  validation {
    condition     = var.desired_count >= 2
    error_message = "Run at least 2 tasks: one task is no redundancy."
  }
}

variable "max_count" {
  description = "Upper bound for CPU-based autoscaling of the app tasks."
  type        = number
  default     = 6
}

variable "task_cpu" {
  description = "CPU units per task (1024 = 1 vCPU); Gunicorn runs 2 workers x 4 threads on 2 vCPU."
  type        = number
  default     = 2048
}

variable "task_memory" {
  description = "Memory per task, in MiB."
  type        = number
  default     = 4096
}

variable "db_instance_class" {
  description = "RDS instance class for PostgreSQL."
  type        = string
  default     = "db.t4g.medium"
}

variable "db_allocated_storage" {
  description = "Initial database storage in GiB (grows automatically up to 5x)."
  type        = number
  default     = 50
}

variable "db_multi_az" {
  description = "A standby in a second availability zone (recommended for production)."
  type        = bool
  default     = true
}

variable "redis_node_type" {
  description = "ElastiCache node type for Redis."
  type        = string
  default     = "cache.t4g.small"
}

variable "backup_retention_days" {
  description = "How long database backups are kept (RDS snapshots and the hourly dumps in S3)."
  type        = number
  default     = 30
}

variable "log_retention_days" {
  description = "How long container logs are kept in CloudWatch."
  type        = number
  default     = 90
}

variable "mail_url" {
  description = "SMTP URL for outgoing mail (smtp://user:pass@host:port); stored as a secret."
  type        = string
  sensitive   = true
  default     = ""
}

variable "alarm_topic_arn" {
  description = "SNS topic for alarms; empty keeps the alarms visible in CloudWatch only."
  type        = string
  default     = ""
}
