#pragma once

#include <QtGlobal>

class QTcpServer;

namespace adcp::testsupport {

// A loopback TCP port bound by this process but not listening: a connection to it is refused at once, and no
// other process can take the port while this object holds it. This replaces "find a free port, close it, use
// it later", where another program on a shared machine can take the port in between. listenWith() turns the
// same socket into a live listener, so the port is never free between "down" and "up".
class HeldPort final
{
public:
    HeldPort();
    ~HeldPort();
    Q_DISABLE_COPY_MOVE(HeldPort)

    // 0 when no port could be bound.
    quint16 port() const;
    // Starts listening on the held socket and hands it to `server`, which owns it from then on.
    bool listenWith(QTcpServer *server);

private:
    int m_fd = -1;
    quint16 m_port = 0;
};

} // namespace adcp::testsupport
