// Placeholder; replaced by the AMQP client.
