locals {
  container_name = "valiant-server"
  container_port = 3000
  db_secret_arn  = aws_rds_cluster.main.master_user_secret[0].secret_arn

  # The URL carries no password: libpq reads it from PGPASSWORD, which the
  # task gets from the secret that RDS manages.
  database_url = "postgres://${aws_rds_cluster.main.master_username}@${aws_rds_cluster.main.endpoint}:${aws_rds_cluster.main.port}/${aws_rds_cluster.main.database_name}?sslmode=require"
  redis_url    = "redis://${aws_elasticache_replication_group.main.primary_endpoint_address}:6379"

  container = {
    name                   = local.container_name
    image                  = var.image
    essential              = true
    readonlyRootFilesystem = false

    portMappings = [
      {
        containerPort = local.container_port
        protocol      = "tcp"
      }
    ]

    environment = [
      { name = "HOST", value = "0.0.0.0" },
      { name = "PORT", value = tostring(local.container_port) },
      { name = "DATABASE_URL", value = local.database_url },
      { name = "REDIS_URL", value = local.redis_url },
      { name = "LOG_FORMAT", value = "json" },
      { name = "VALIANT_MAX_CONNECTIONS_PER_ADDRESS", value = "0" },
      # The ALB appends the client's address to X-Forwarded-For.
      { name = "VALIANT_TRUSTED_PROXIES", value = "1" },
    ]

    secrets = [
      { name = "PGPASSWORD", valueFrom = "${local.db_secret_arn}:password::" },
    ]

    # The server drains within 10 s of SIGTERM; ECS waits 30 s before SIGKILL.
    stopTimeout = 30

    # Runs an init process as PID 1 that forwards SIGTERM to the server.
    linuxParameters = {
      initProcessEnabled = true
    }

    healthCheck = {
      command     = ["CMD", "valiant-server", "healthcheck"]
      interval    = 15
      timeout     = 5
      retries     = 3
      startPeriod = 30
    }

    logConfiguration = {
      logDriver = "awslogs"

      options = {
        awslogs-group         = aws_cloudwatch_log_group.server.name
        awslogs-region        = data.aws_region.current.name
        awslogs-stream-prefix = "server"
      }
    }
  }
}

resource "aws_ecs_cluster" "main" {
  name = local.name

  setting {
    name  = "containerInsights"
    value = "enabled"
  }
}

resource "aws_ecs_task_definition" "server" {
  family                   = local.name
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.task_cpu
  memory                   = var.task_memory
  execution_role_arn       = aws_iam_role.execution.arn
  container_definitions    = jsonencode([local.container])

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }
}

resource "aws_ecs_service" "server" {
  name                              = local.container_name
  cluster                           = aws_ecs_cluster.main.id
  task_definition                   = aws_ecs_task_definition.server.arn
  desired_count                     = var.desired_count
  launch_type                       = "FARGATE"
  health_check_grace_period_seconds = 60
  propagate_tags                    = "SERVICE"
  wait_for_steady_state             = true

  # A rolling deploy starts new tasks before it stops old ones, so capacity
  # never drops below desired_count, and a deploy whose tasks fail their
  # health checks is rolled back to the last task definition that worked.
  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  network_configuration {
    subnets          = aws_subnet.private[*].id
    security_groups  = [aws_security_group.tasks.id]
    assign_public_ip = false
  }

  load_balancer {
    target_group_arn = aws_lb_target_group.server.arn
    container_name   = local.container_name
    container_port   = local.container_port
  }

  depends_on = [aws_lb_listener.https, aws_iam_role_policy.execution]
}
