/**
 * Light or dark: the operating system's setting unless the user picks one in the header (kept in this
 * browser's or app's local storage). The page's colours are CSS variables switched by `data-theme` on the
 * root element; charts read them again when `resolved` changes.
 */
export type ThemeChoice = 'system' | 'light' | 'dark';

export const THEME_KEY = 'modality-studio.theme';

function stored(storage: Storage): ThemeChoice {
  const value = storage.getItem(THEME_KEY);
  return value === 'light' || value === 'dark' ? value : 'system';
}

class Theme {
  private readonly media = window.matchMedia('(prefers-color-scheme: dark)');
  choice = $state<ThemeChoice>(stored(localStorage));
  private systemDark = $state(this.media.matches);
  readonly resolved = $derived<'light' | 'dark'>(
    this.choice === 'system' ? (this.systemDark ? 'dark' : 'light') : this.choice,
  );

  constructor() {
    this.media.addEventListener('change', (event) => {
      this.systemDark = event.matches;
      this.apply();
    });
    this.apply();
  }

  set(choice: ThemeChoice): void {
    this.choice = choice;
    if (choice === 'system') localStorage.removeItem(THEME_KEY);
    else localStorage.setItem(THEME_KEY, choice);
    this.apply();
  }

  private apply(): void {
    document.documentElement.dataset.theme = this.resolved;
    document.documentElement.style.colorScheme = this.resolved;
  }
}

export const theme = new Theme();
