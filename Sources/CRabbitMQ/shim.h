// rabbitmq-c 0.11 (Debian 12) installs its headers at the top level; 0.12+ moved them under rabbitmq-c/.
#ifndef CRABBITMQ_SHIM_H
#define CRABBITMQ_SHIM_H
#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <amqp_framing.h>
#endif
