#pragma once

#include <QString>
#include <QThread>

#include <cstdint>
#include <future>
#include <string>

extern const std::string kBenchToken;

// Our seller (MCP on its SellerHttpServer, execution with simulated ad servers) and a trivial route on the
// same HTTP engine answering fixed bytes, on a thread of their own for the life of this object.
class ServerThread final : public QThread
{
public:
    struct Ports
    {
        std::uint16_t seller = 0;
        std::uint16_t trivial = 0;
    };

    // adServerMs: latency of every simulated ad-server call; trivialBody: what the trivial route answers.
    ServerThread(QString dbPath, int workers, int adServerMs, std::string trivialBody);
    ~ServerThread() override;
    ServerThread(const ServerThread &) = delete;
    ServerThread &operator=(const ServerThread &) = delete;

    // Starts the thread and waits until both servers listen (a port 0 when one could not start).
    Ports startAndWait();

protected:
    void run() override;

private:
    QString m_dbPath;
    int m_workers;
    int m_adServerMs;
    std::string m_trivialBody;
    std::promise<Ports> m_ports;
};
