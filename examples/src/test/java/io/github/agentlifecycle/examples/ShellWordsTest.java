package io.github.agentlifecycle.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ShellWordsTest {
    @Test
    void blanksSeparateWordsAndRepeatedBlanksCountOnce() {
        assertThat(ShellWords.split("  python3 \t agent.py\n--verbose  ")).containsExactly("python3", "agent.py",
                "--verbose");
        assertThat(ShellWords.split("   ")).isEmpty();
    }

    @Test
    void singleQuotesKeepEverythingLiterally() {
        assertThat(ShellWords.split("sh -c 'echo \"$HOME\" \\n; exit 0'")).containsExactly("sh", "-c",
                "echo \"$HOME\" \\n; exit 0");
    }

    @Test
    void doubleQuotesKeepBlanksAndUnescapeOnlyTheShellsSpecialCharacters() {
        assertThat(ShellWords.split("node \"my agent.js\" \"say \\\"hi\\\" \\$x \\n\""))
                .containsExactly("node", "my agent.js", "say \"hi\" $x \\n");
    }

    @Test
    void quotedAndUnquotedPartsJoinIntoOneWord() {
        assertThat(ShellWords.split("--name='a b'\"c d\"e")).containsExactly("--name=a bc de");
        assertThat(ShellWords.split("'' \"\"")).containsExactly("", "");
    }

    @Test
    void backslashOutsideQuotesKeepsTheNextCharacter() {
        assertThat(ShellWords.split("my\\ agent \\'x")).containsExactly("my agent", "'x");
    }

    @Test
    void unterminatedQuotesAndATrailingBackslashAreErrors() {
        assertThatThrownBy(() -> ShellWords.split("python 'agent.py")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("single quote");
        assertThatThrownBy(() -> ShellWords.split("python \"agent.py")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("double quote");
        assertThatThrownBy(() -> ShellWords.split("python agent.py\\")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("backslash");
    }
}
