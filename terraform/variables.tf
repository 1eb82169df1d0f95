variable "region" {
  description = "AWS region to deploy into, such as eu-central-1."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.region))
    error_message = "The region must be an AWS region name such as eu-central-1."
  }
}

variable "environment" {
  description = "Name of this deployment, used in resource names (lowercase letters, digits and hyphens)."
  type        = string
  default     = "production"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,20}$", var.environment))
    error_message = "The environment must be 2 to 21 lowercase letters, digits or hyphens and start with a letter."
  }
}

variable "image" {
  description = "Container image of valiant-server, such as ghcr.io/OWNER/valiant-server:SHA. Pin a digest or commit tag so a deploy is repeatable."
  type        = string

  validation {
    condition     = length(var.image) > 0 && !endswith(var.image, ":")
    error_message = "The image must be a repository reference such as ghcr.io/OWNER/valiant-server:TAG."
  }
}

variable "certificate_arn" {
  description = "ARN of the ACM certificate for the HTTPS listener, issued in the same region."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/.+$", var.certificate_arn))
    error_message = "The certificate_arn must be an ACM certificate ARN (arn:aws:acm:REGION:ACCOUNT:certificate/ID)."
  }
}

variable "vpc_cidr" {
  description = "CIDR block of the VPC; it is split into two public and two private subnets."
  type        = string
  default     = "10.40.0.0/16"

  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0)) && tonumber(split("/", var.vpc_cidr)[1]) <= 20
    error_message = "The vpc_cidr must be a valid IPv4 CIDR block of /20 or larger."
  }
}

variable "desired_count" {
  description = "Number of valiant-server tasks. At least 2, so a task can be replaced while another serves."
  type        = number
  default     = 2

  validation {
    condition     = var.desired_count >= 2 && var.desired_count <= 20
    error_message = "The desired_count must be between 2 and 20."
  }
}

variable "task_cpu" {
  description = "CPU units per task (1024 is one vCPU)."
  type        = number
  default     = 512

  validation {
    condition     = contains([256, 512, 1024, 2048, 4096], var.task_cpu)
    error_message = "The task_cpu must be one of the Fargate sizes 256, 512, 1024, 2048 or 4096."
  }
}

variable "task_memory" {
  description = "Memory per task in MiB; it must fit the Fargate table for task_cpu."
  type        = number
  default     = 1024

  validation {
    condition     = var.task_memory >= 512 && var.task_memory <= 30720
    error_message = "The task_memory must be between 512 and 30720 MiB."
  }
}

variable "db_min_capacity" {
  description = "Minimum Aurora Serverless v2 capacity in ACUs (0.5 to 256)."
  type        = number
  default     = 0.5

  validation {
    condition     = var.db_min_capacity >= 0.5 && var.db_min_capacity <= 256
    error_message = "The db_min_capacity must be between 0.5 and 256 ACUs."
  }
}

variable "db_max_capacity" {
  description = "Maximum Aurora Serverless v2 capacity in ACUs; this bounds the database cost."
  type        = number
  default     = 4

  validation {
    condition     = var.db_max_capacity >= 1 && var.db_max_capacity <= 256
    error_message = "The db_max_capacity must be between 1 and 256 ACUs."
  }
}

variable "db_instance_count" {
  description = "Aurora instances: 1 is a writer only, 2 or more adds readers that take over on failover."
  type        = number
  default     = 1

  validation {
    condition     = var.db_instance_count >= 1 && var.db_instance_count <= 4
    error_message = "The db_instance_count must be between 1 and 4."
  }
}

variable "redis_node_type" {
  description = "ElastiCache node type of the Redis used for quote fan-out."
  type        = string
  default     = "cache.t4g.micro"

  validation {
    condition     = startswith(var.redis_node_type, "cache.")
    error_message = "The redis_node_type must be an ElastiCache node type such as cache.t4g.micro."
  }
}

variable "log_retention_days" {
  description = "Days CloudWatch keeps the server logs."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1827, 3653], var.log_retention_days)
    error_message = "The log_retention_days must be a value CloudWatch accepts, such as 7, 30 or 90."
  }
}

variable "alarm_email" {
  description = "E-mail address that receives alarm notifications; empty for none."
  type        = string
  default     = ""

  validation {
    condition     = var.alarm_email == "" || can(regex("^[^@ ]+@[^@ ]+$", var.alarm_email))
    error_message = "The alarm_email must be an e-mail address or empty."
  }
}

variable "p99_latency_threshold_seconds" {
  description = "The p99 target response time, in seconds, above which the latency alarm fires."
  type        = number
  default     = 1

  validation {
    condition     = var.p99_latency_threshold_seconds > 0
    error_message = "The p99_latency_threshold_seconds must be greater than 0."
  }
}

variable "error_rate_threshold_percent" {
  description = "Percentage of requests answered with 5XX above which the error alarm fires."
  type        = number
  default     = 1

  validation {
    condition     = var.error_rate_threshold_percent > 0 && var.error_rate_threshold_percent <= 100
    error_message = "The error_rate_threshold_percent must be greater than 0 and at most 100."
  }
}

variable "deletion_protection" {
  description = "Protect the database and load balancer from deletion; turn off only to tear down a test stack."
  type        = bool
  default     = true
}
