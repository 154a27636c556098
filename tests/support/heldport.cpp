#include "heldport.h"

#include <QTcpServer>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace adcp::testsupport {

HeldPort::HeldPort()
{
    m_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (m_fd < 0)
        return;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0; // the kernel picks a port nobody holds
    socklen_t length = sizeof(address);
    if (::bind(m_fd, reinterpret_cast<sockaddr *>(&address), sizeof(address)) != 0 ||
        ::getsockname(m_fd, reinterpret_cast<sockaddr *>(&address), &length) != 0) {
        ::close(m_fd);
        m_fd = -1;
        return;
    }
    m_port = ntohs(address.sin_port);
}

HeldPort::~HeldPort()
{
    if (m_fd >= 0)
        ::close(m_fd);
}

quint16 HeldPort::port() const
{
    return m_port;
}

bool HeldPort::listenWith(QTcpServer *server)
{
    if (m_fd < 0 || ::listen(m_fd, SOMAXCONN) != 0 || !server->setSocketDescriptor(m_fd))
        return false;
    m_fd = -1; // the server closes it
    return true;
}

} // namespace adcp::testsupport
