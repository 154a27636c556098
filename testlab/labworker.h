#pragma once

#include <QThread>

#include <atomic>
#include <functional>
#include <memory>

namespace adcp::lab {

// The worker thread of one run at a time, for the lab's two engines: a cancel flag the run polls, and "busy"
// from start() until the owner says the run's end was announced (setIdle(), on the owner's thread).
class LabWorker final
{
public:
    LabWorker() = default;
    ~LabWorker()
    {
        cancel();
        join();
    }
    Q_DISABLE_COPY_MOVE(LabWorker)

    bool busy() const { return m_busy; }
    void setIdle() { m_busy = false; }
    void cancel()
    {
        if (m_cancel)
            m_cancel->store(true);
    }
    // Joins the previous run's thread, then runs `work` on a new one with a fresh cancel flag.
    void start(const std::function<void()> &work)
    {
        join();
        m_cancel = std::make_shared<std::atomic_bool>(false);
        m_busy = true;
        m_thread = QThread::create(work);
        m_thread->start();
    }
    const std::shared_ptr<std::atomic_bool> &cancelFlag() const { return m_cancel; }
    bool canceled() const { return m_cancel && m_cancel->load(); }
    void join()
    {
        if (!m_thread)
            return;
        m_thread->wait();
        delete m_thread;
        m_thread = nullptr;
    }

private:
    QThread *m_thread = nullptr;
    std::shared_ptr<std::atomic_bool> m_cancel;
    bool m_busy = false;
};

} // namespace adcp::lab
