#pragma once

// Lets through at most a few log lines a second from one noisy source (a handler's stderr, its
// stray stdout) and counts the rest, so a chatty child cannot flood the worker's log.

#include <QElapsedTimer>

class LogLimiter final
{
public:
    explicit LogLimiter(int perSecond = 20) : m_perSecond(perSecond) { m_window.start(); }

    // True when this line may be logged. *dropped then holds how many were held back since the
    // last line let through (say so in the log), else it is left alone.
    bool allow(qint64 *dropped)
    {
        if (m_window.elapsed() >= 1000) {
            m_window.restart();
            m_inWindow = 0;
        }
        if (m_inWindow >= m_perSecond) {
            ++m_dropped;
            return false;
        }
        ++m_inWindow;
        *dropped = std::exchange(m_dropped, 0);
        return true;
    }

private:
    int m_perSecond;
    int m_inWindow = 0;
    qint64 m_dropped = 0;
    QElapsedTimer m_window;
};
